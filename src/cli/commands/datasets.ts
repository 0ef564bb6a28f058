/** `l2lab datasets`: the built-in datasets and whether each is available here. */
import { listDatasets } from '../../data/index.js';
import type { Command } from '../command.js';
import { table } from '../format.js';

export const command: Command = {
  name: 'datasets',
  options: { json: { type: 'boolean' } },
  help: 'Usage: l2lab datasets [--json]\n\nLists the built-in datasets with their size, task and source.',
  async run(v) {
    const list = listDatasets();
    if (v.json === true) {
      console.log(JSON.stringify(list));
      return 0;
    }
    console.log(table(['name', 'n', 'd', 'task', 'available', 'description'], list.map((d) => [d.name, String(d.n), String(d.d), d.task === 'classification' ? `${d.classes} classes` : 'regression', d.available ? 'yes' : 'no', d.description]).map((r) => r.map(String))));
    return 0;
  },
};
