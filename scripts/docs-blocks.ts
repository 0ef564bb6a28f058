/** The Markdown side of `npm run docs`: generated-output markers, the commands a page shows, and the timing rule. */

/**
 * A generated block, marked in the Markdown source as
 *
 *     <!-- docs:run [prompts]
 *     keep: REGEX          (optional: print only the lines that match)
 *     elide: REGEX         (optional: of each run of 4+ consecutive matching lines, e.g. table rows, show the first 2, '…' and the last)
 *     copy: FROM TO        (optional, repeatable: copy a file the command wrote, e.g. a plot, to TO in the repository)
 *     capture: NAME REGEX  (optional, repeatable; multiline: group 1 fills <!-- docs:NAME -->…<!-- /docs --> in the prose;
 *                          NAME/4 rounds a number to 4 significant digits)
 *     -->
 *     ```
 *     output, rewritten by `npm run docs`
 *     ```
 *
 * Without `prompts` the command is the ```sh block just before the marker (the one the reader sees);
 * with `prompts` the commands are the block's own `$ ` lines, each followed by what it prints.
 */
export interface RunBlock {
  /** The shell script to run (one command per `$ ` line in prompts mode). */
  commands: string[];
  prompts: boolean;
  keep?: RegExp;
  elide?: RegExp;
  copies: { from: string; to: string }[];
  captures: { name: string; pattern: RegExp; digits?: number }[];
  /** Character range of the fenced output block (from its opening fence to the end of its closing fence). */
  start: number;
  end: number;
  /** The output block's current body. */
  body: string;
}

/** A fenced code block: its info string, body and character range. */
export interface Fence {
  info: string;
  body: string;
  start: number;
  end: number;
}

/** Every fenced code block (``` fences only) in order. */
export function fences(md: string): Fence[] {
  const out: Fence[] = [];
  const re = /^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = re.exec(md); m; m = re.exec(md)) out.push({ info: m[1].trim(), body: m[2], start: m.index, end: m.index + m[0].length });
  return out;
}

const MARKER = /<!-- docs:run(?: (prompts))?[ \t]*(?:\n([\s\S]*?))?-->[ \t]*\n(?=```)/g;

/** The marked blocks of a page. Throws when a marker does not sit on an output block or lacks its command. */
export function runBlocks(md: string): RunBlock[] {
  const all = fences(md);
  const blocks: RunBlock[] = [];
  for (let m = MARKER.exec(md); m; m = MARKER.exec(md)) {
    const at = m.index + m[0].length;
    const fence = all.find((f) => f.start === at);
    if (!fence) throw new Error(`docs:run marker at offset ${m.index} is not followed by a fenced block`);
    const prompts = m[1] === 'prompts';
    let keep: RegExp | undefined;
    let elide: RegExp | undefined;
    const captures: RunBlock['captures'] = [];
    const copies: RunBlock['copies'] = [];
    for (const line of (m[2] ?? '').split('\n').map((l) => l.trim()).filter(Boolean)) {
      const opt = /^(keep|elide|capture|copy):\s*(.*)$/.exec(line);
      if (!opt) throw new Error(`docs:run marker at offset ${m.index}: unknown line '${line}' (keep:, elide:, capture:, copy:)`);
      const [, first, rest] = /^(\S+)\s+(.*)$/.exec(opt[2]) ?? [];
      if (opt[1] === 'keep') keep = new RegExp(opt[2]);
      else if (opt[1] === 'elide') elide = new RegExp(opt[2]);
      else if (!first) throw new Error(`docs:run ${opt[1]} needs two fields, got '${opt[2]}'`);
      else if (opt[1] === 'capture') {
        const [name, digits] = first.split('/');
        captures.push({ name, pattern: new RegExp(rest, 'm'), digits: digits === undefined ? undefined : Number(digits) });
      }
      else copies.push({ from: first, to: rest });
    }
    let commands: string[];
    if (prompts) {
      commands = promptCommands(fence.body);
    } else {
      const before = all.filter((f) => f.end < m!.index).at(-1);
      if (!before || before.info !== 'sh' || md.slice(before.end, m.index).trim() !== '') {
        throw new Error(`docs:run marker at offset ${m.index} must follow a \`\`\`sh block (or say 'docs:run prompts')`);
      }
      commands = [before.body];
    }
    if (commands.length === 0) throw new Error(`docs:run prompts block at offset ${fence.start} has no '$ ' lines`);
    blocks.push({ commands, prompts, keep, elide, copies, captures, start: fence.start, end: fence.end, body: fence.body });
  }
  return blocks;
}

/**
 * The page's setup scripts: ```sh blocks right after `<!-- docs:setup -->`, run first in the page's scratch
 * directory (e.g. to write a data file the shown commands read); their output is not shown.
 */
export function setupScripts(md: string): string[] {
  return fences(md)
    .filter((f) => f.info === 'sh' && /<!-- docs:setup -->[ \t]*\n$/.test(md.slice(0, f.start)))
    .map((f) => f.body);
}

/** A captured value as the prose shows it: rounded to `digits` significant digits when given (4.641588833612779 → 4.642, 49.9967 → 50.00). */
export function capturedValue(text: string, digits?: number): string {
  if (digits === undefined) return text;
  const v = Number(text);
  if (!Number.isFinite(v)) throw new Error(`capture/${digits} needs a number, got '${text}'`);
  const rounded = v.toPrecision(digits);
  return rounded.includes('e') ? String(Number(rounded)) : rounded;
}

/** The `$ ` lines of a prompts block, each joined with its `\` continuation lines. */
export function promptCommands(body: string): string[] {
  const out: string[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('$ ')) continue;
    let cmd = lines[i].slice(2);
    while (cmd.endsWith('\\') && i + 1 < lines.length) cmd = `${cmd}\n${lines[++i]}`;
    out.push(cmd);
  }
  return out;
}

/**
 * The timing rule: a duration printed as a number followed by `s`, `ms` or `min` becomes `…` with its unit
 * ("10.5 s" → "… s", "(7.1 s)" → "(… s)"), so outputs compare equal across machines and loads.
 */
export function stableTimings(text: string): string {
  return text.replace(/\d[\d,]*(?:\.\d+)?( ?)(ms|s|min)\b/g, '…$1$2');
}

/** The shown output of one command: trailing spaces trimmed, timings made stable, `keep` and `elide` applied. */
export function shownOutput(raw: string, keep?: RegExp, elide?: RegExp): string {
  let lines = stableTimings(raw).split('\n').map((l) => l.trimEnd());
  if (keep) lines = lines.filter((l) => keep.test(l));
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return (elide ? elideRuns(lines, elide) : lines).join('\n');
}

/** Each run of 4 or more consecutive lines matching `row` shortened to its first two, '   …' and its last. */
function elideRuns(lines: string[], row: RegExp): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j < lines.length && row.test(lines[j])) j++;
    if (j - i >= 4) out.push(lines[i], lines[i + 1], '   …', lines[j - 1]);
    else out.push(...lines.slice(i, Math.max(j, i + 1)));
    i = Math.max(j, i + 1);
  }
  return out;
}

/** The page with each block's body replaced (blocks in page order, bodies without the trailing newline). */
export function replaceBodies(md: string, blocks: RunBlock[], bodies: string[]): string {
  let out = '';
  let at = 0;
  blocks.forEach((b, i) => {
    const open = md.slice(b.start, md.indexOf('\n', b.start) + 1);
    out += md.slice(at, b.start) + open + (bodies[i] ? `${bodies[i]}\n` : '') + '```';
    at = b.end;
  });
  return out + md.slice(at);
}

/** A prose placeholder; its text holds no other comment, so markers (docs:run, docs:setup) never start one. */
const VALUE = /<!-- docs:(?!run\b|setup\b)([\w-]+) -->((?:(?!<!--)[^])*?)<!-- \/docs -->/g;

/** The names of the prose placeholders `<!-- docs:NAME -->value<!-- /docs -->` of a page. */
export function placeholderNames(md: string): string[] {
  return [...md.matchAll(VALUE)].map((m) => m[1]);
}

/**
 * Fills the prose placeholders from captured values. With `complete` (every block of the page ran) a placeholder
 * no run captured is an error; otherwise it keeps its text.
 */
export function fillPlaceholders(md: string, values: Map<string, string>, complete: boolean): string {
  return md.replace(VALUE, (all, name: string) => {
    const v = values.get(name);
    if (v === undefined && !complete) return all;
    if (v === undefined) throw new Error(`placeholder docs:${name} has no 'capture: ${name} …' in any docs:run marker of the page`);
    return `<!-- docs:${name} -->${v}<!-- /docs -->`;
  });
}

/**
 * The `l2lab` invocations a page shows: in ```sh blocks (with `\` continuations, without `# comments`), as
 * `$ ` lines of prompts blocks, and inline as `npx l2lab …` code spans. Each is split into argv after `l2lab`;
 * shell pipes and redirections end it. A bare `l2lab` and `l2lab …` (prose for "any command") are left out.
 */
export function shownInvocations(md: string): { text: string; argv: string[] }[] {
  const sources: string[] = [];
  for (const f of fences(md)) {
    if (f.info === 'sh') sources.push(...joinContinuations(f.body).map(stripComment));
    else sources.push(...promptCommands(f.body).map((c) => joinContinuations(c)[0]));
  }
  const withoutFences = fences(md).reduceRight((s, f) => s.slice(0, f.start) + s.slice(f.end), md);
  for (const m of withoutFences.matchAll(/`((?:npx )?l2lab [^`]+)`/g)) sources.push(m[1]);
  const out: { text: string; argv: string[] }[] = [];
  for (const line of sources) {
    for (const m of line.matchAll(/(?:^|[\s;&(])(?:npx )?l2lab((?:\s+[^\s|;&<>]+)+)/g)) {
      const argv = shellWords(m[1]);
      if (argv[0] !== '…') out.push({ text: `l2lab${m[1]}`, argv });
    }
  }
  return out;
}

function joinContinuations(body: string): string[] {
  return body.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.trim() !== '');
}

function stripComment(line: string): string {
  return line.replace(/\s+#.*$/, '');
}

/** Words of a simple shell line: whitespace-separated, single and double quotes removed. */
export function shellWords(s: string): string[] {
  return [...s.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}
