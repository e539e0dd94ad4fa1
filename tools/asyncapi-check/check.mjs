// Usage: node check.mjs <asyncapi.json>. Exits 1 and prints every diagnostic of severity "error"
// (0 in Spectral's numbering); warnings are printed but pass.
import { readFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';

const source = await readFile(process.argv[2], 'utf8');
const { document, diagnostics } = await new Parser().parse(source);
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics) {
  console.log(`${d.severity === 0 ? 'error' : 'note'} ${d.code} at ${d.path.join('.')}: ${d.message}`);
}
if (!document || errors.length) process.exit(1);
console.log(`valid AsyncAPI ${document.version()}: ${document.channels().length} channels, ${document.messages().length} messages`);
