/**
 * `npm run bench`: run every benchmark module in turn (`node dist/bench/run.js [NAME...]` runs only those).
 *
 * Each benchmark is a file `bench/NAME.ts` exporting `async function run(): Promise<void>` that prints its own
 * side-by-side table against a baseline measured in the same run. To add one, append its NAME to
 * {@link BENCHMARKS} (the list is explicit so the order is stable and a missing file is noticed).
 *
 * @module
 */

/** The benchmark modules, in the order they run. */
export const BENCHMARKS: readonly string[] = ['reward', 'serve', 'eval-client', 'synth', 'model', 'policy-serve'];

interface BenchModule {
  run?: () => Promise<void>;
}

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((name) => !BENCHMARKS.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
    return 2;
  }
  const selected = argv.length > 0 ? BENCHMARKS.filter((name) => argv.includes(name)) : BENCHMARKS;
  let failed = 0;
  for (const name of selected) {
    const started = performance.now();
    console.log(`\n##### bench/${name} #####`);
    try {
      const module = (await import(`./${name}.js`)) as BenchModule;
      if (typeof module.run !== 'function') throw new Error(`bench/${name}.ts does not export run()`);
      await module.run();
      console.log(`(bench/${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error: unknown) {
      failed += 1;
      console.error(`bench/${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
