// Bundles a browser page that uses the transition checks and dwell statistics, as a host's
// bundler would (esbuild, platform browser, minified, dependencies included), and prints its
// size. `npx tsx scripts/browser-bundle.ts` bundles the sources; `-- --dist` bundles dist/ after
// `npm run build`. The size-limit entry in .size-limit.json measures the same import from dist/.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The page: what a kanban board imports to judge drops and show dwell times. */
export const PAGE = `import { applyDeal, checkTransition, allowedStages, dwellStats } from 'sales-pipelines';
globalThis.salesPipelines = { applyDeal, checkTransition, allowedStages, dwellStats };
`;

/** The bundle of {@link PAGE}: its minified and gzipped sizes in bytes and the inputs it holds. */
export interface BrowserBundle {
  readonly minified: number;
  readonly gzipped: number;
  /** Every input file, relative to the project, with its bytes in the output. */
  readonly inputs: Readonly<Record<string, number>>;
  readonly code: string;
}

/** Bundles {@link PAGE} against the sources (`src/index.ts`) or the build (`dist/index.js`). */
export async function bundleBrowserPage(from: 'src' | 'dist' = 'src'): Promise<BrowserBundle> {
  const entry = from === 'src' ? 'src/index.ts' : 'dist/index.js';
  const result = await build({
    stdin: { contents: PAGE, resolveDir: root, sourcefile: 'page.js', loader: 'js' },
    alias: { 'sales-pipelines': `./${entry}` },
    absWorkingDir: root,
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  const output = Object.values(result.metafile.outputs)[0]!;
  const inputs = Object.fromEntries(Object.entries(output.inputs).map(([file, { bytesInOutput }]) => [file, bytesInOutput]));
  return { minified: Buffer.byteLength(code), gzipped: gzipSync(code, { level: 9 }).length, inputs, code };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const from = process.argv.includes('--dist') ? 'dist' : 'src';
  const bundle = await bundleBrowserPage(from);
  const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
  const byPackage = new Map<string, number>();
  for (const [file, bytes] of Object.entries(bundle.inputs)) {
    const key = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(file)?.[1] ?? 'sales-pipelines';
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytes);
  }
  console.log(`browser page from ${from}/: ${kB(bundle.minified)} minified, ${kB(bundle.gzipped)} gzip`);
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) console.log(`  ${name}: ${kB(bytes)} minified`);
}
