/**
 * One X12 reading pass over a file, in its own process: `tsx x12-throughput.ts <which> <file>`.
 * Prints {"mbPerSecond", "cpuMbPerSecond", "items"} as JSON: MB per wall second and per second of the
 * process's CPU time (steadier on a machine shared with other work). `which`: ledger (our stream835 → claims),
 * split (a plain split('~') on decoded chunks), node-x12, x12-parser (their streaming segment parsers).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { stream835 } from '../src/x12/read-835.ts';

const require = createRequire(import.meta.url);
const [which, file] = process.argv.slice(2) as [string, string];
const size = fs.statSync(file).size;
const open = () => fs.createReadStream(file, { highWaterMark: 65_536 });

function viaStream(parser: NodeJS.ReadWriteStream): Promise<number> {
  return new Promise((resolve, reject) => {
    let items = 0;
    open()
      .pipe(parser)
      .on('data', () => items++)
      .on('end', () => resolve(items))
      .on('error', reject);
  });
}

const runs: Record<string, () => Promise<number>> = {
  async ledger() {
    let claims = 0;
    for await (const event of stream835(open())) if (event.type === 'claim') claims++;
    return claims;
  },
  async split() {
    let segments = 0;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 65_536, encoding: 'utf8' })) segments += (chunk as string).split('~').length;
    return segments;
  },
  'node-x12': () => {
    const { X12Parser } = require('node-x12') as { X12Parser: new (strict: boolean) => NodeJS.ReadWriteStream };
    return viaStream(new X12Parser(false));
  },
  'x12-parser': () => {
    const { X12parser } = require('x12-parser') as { X12parser: new () => NodeJS.ReadWriteStream };
    return viaStream(new X12parser());
  },
};

const run = runs[which];
if (!run) throw new Error(`unknown reader ${which}`);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const items = await run();
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(JSON.stringify({ mbPerSecond: size / 1e6 / seconds, cpuMbPerSecond: size / 1e6 / cpuSeconds, items }));
