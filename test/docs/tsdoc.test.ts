/** Every function and class the package exports (src/index.ts) carries TSDoc, which TypeDoc (`npm run docs:api`) publishes. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import ts from 'typescript';
import { ROOT } from '../cli/helpers.js';

it('every exported function and class of src/index.ts has a TSDoc comment; fit and tune an @example', () => {
  const entry = path.join(ROOT, 'src/index.ts');
  const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noResolve: false });
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!);
  const undocumented: string[] = [];
  let checked = 0;
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class))) continue;
    checked++;
    if (ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() === '') undocumented.push(exported.name);
    // The two entry points a newcomer starts from also show how they are called.
    if ((exported.name === 'fit' || exported.name === 'tune') && !symbol.getJsDocTags(checker).some((t) => t.name === 'example')) undocumented.push(`${exported.name} (@example)`);
  }
  assert.ok(checked > 50, `only ${checked} exported functions and classes found`);
  assert.deepEqual(undocumented, [], `exported without TSDoc: ${undocumented.join(', ')}`);
});
