import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { load } from 'js-yaml';

/**
 * Bundles built as `sls package` builds them: the esbuild options are read from serverless.yml
 * `custom.esbuild`, minus the keys serverless-esbuild keeps for itself, so the project's handlers
 * and the floor are built with the same settings as what is deployed.
 */

export const projectRoot = join(import.meta.dirname, '..');

/** serverless-esbuild's own options, removed before it calls esbuild (its `bundle.js`). */
const PLUGIN_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/** The esbuild options of serverless.yml, as serverless-esbuild hands them to esbuild. */
export const deployedBuildOptions = (): BuildOptions => {
  const definition = load(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as {
    custom: { esbuild: Record<string, unknown> };
  };
  const settings = definition.custom.esbuild;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (!PLUGIN_OPTIONS.includes(key)) options[key] = value;
  }
  // serverless-esbuild marks its `exclude` list (default: aws-sdk) external.
  const exclude = (settings.exclude as string[] | undefined) ?? ['aws-sdk'];
  const external = [...((settings.external as string[] | undefined) ?? []), ...exclude];
  return { platform: 'node', ...options, external } as BuildOptions;
};

/**
 * The floor's options: the deployed ones without `alias`, which puts the service's own choices in
 * the place of SDK modules (Lambda's credentials from the environment, no event streams). The
 * floor keeps the SDK's defaults.
 */
export const floorBuildOptions = (): BuildOptions => {
  const { alias: _serviceChoices, ...options } = deployedBuildOptions();
  return options;
};

/** Every function of the service, by name, and its handler source (iac/functions.yml). */
export const functionEntries = (): Record<string, string> => {
  const functions = load(readFileSync(join(projectRoot, 'iac', 'functions.yml'), 'utf8')) as Record<
    string,
    { handler: string }
  >;
  return Object.fromEntries(
    Object.entries(functions).map(([name, { handler }]) => [
      name,
      `${handler.slice(0, handler.lastIndexOf('.'))}.ts`,
    ]),
  );
};

export interface BuiltBundle {
  name: string;
  file: string;
  /** Bytes of the bundle itself (the linked map beside it not counted). */
  bytes: number;
  metafile: Metafile;
}

/** Builds `entry` (relative to the project) to `outDir/<name>.mjs` with the deployed options. */
export const buildBundle = async (
  name: string,
  entry: string,
  outDir: string,
  options: BuildOptions = deployedBuildOptions(),
): Promise<BuiltBundle> => {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}.mjs`);
  const result = await build({
    ...options,
    absWorkingDir: projectRoot,
    entryPoints: [entry],
    outfile: file,
    metafile: true,
    logLevel: 'silent',
  });
  const output =
    result.metafile.outputs[
      Object.keys(result.metafile.outputs).find((out) => out.endsWith('.mjs')) ?? ''
    ];
  return { name, file, bytes: output?.bytes ?? 0, metafile: result.metafile };
};

/** The largest contributors to a bundle, by package (or source folder), in bytes. */
export const bundleComposition = (metafile: Metafile): [string, number][] => {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match ? match[1] : input.split('/').slice(0, 2).join('/');
      totals.set(key ?? input, (totals.get(key ?? input) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
};
