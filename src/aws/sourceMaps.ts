import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces that name the TypeScript sources, paid for only when a stack is formatted.
 *
 * Node's `--enable-source-maps` reads and parses the bundle's map at every cold start (about
 * 20 ms, and the parsed map stays in memory). Instead, when this module runs from a bundle with
 * its linked map beside it (`<bundle>.map`, serverless.yml `custom.esbuild.sourcemap`), V8 is
 * asked to format stacks here: frames in the bundle are mapped to `src/...:line:column`, every
 * other frame is printed as V8 prints it. The map is read on the first stack that needs it.
 * Anywhere else (tests, `tsx`), nothing changes.
 */

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;

interface Mapped {
  source: string;
  line: number;
  column: number;
  name: string | undefined;
}

/** The map's sources are relative to the bundle's folder; only the part from `src/` on says where. */
const sourcePath = (source: string): string => {
  const at = source.lastIndexOf('src/');
  return at === -1 ? source : source.slice(at);
};

/** V8's call sites also tell where their function starts (not in Node's typings). */
type CallSite = NodeJS.CallSite & {
  getEnclosingLineNumber?: () => number | null;
  getEnclosingColumnNumber?: () => number | null;
};

const frameText = (frame: CallSite, mapped: Mapped | undefined): string => {
  if (!mapped) return `    at ${frame.toString()}`;
  const where = `${sourcePath(mapped.source)}:${mapped.line}:${mapped.column}`;
  // Bundled functions have minified names; property names (methods) survive minifying.
  const name = mapped.name ?? frame.getMethodName() ?? undefined;
  const prefix = frame.isAsync() ? 'async ' : frame.isConstructor() ? 'new ' : '';
  return name ? `    at ${prefix}${name} (${where})` : `    at ${prefix}${where}`;
};

const headerOf = (error: Error): string => {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
};

/** Formats stacks through `mapFile`'s map for frames of `bundleFile` (a path or a file URL). */
const sourceMappedStackTrace = (bundleFile: string, mapFile: string): PrepareStackTrace => {
  let map: SourceMap | null | undefined;
  const load = (): SourceMap | null => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
      } catch {
        map = null;
      }
    }
    return map;
  };
  const bundleUrl = bundleFile.startsWith('file:') ? bundleFile : `file://${bundleFile}`;
  const bundlePath = bundleFile.startsWith('file:') ? fileURLToPath(bundleFile) : bundleFile;
  const entryAt = (line: number | null | undefined, column: number | null | undefined) => {
    const sourceMap = line && column ? load() : null;
    if (!sourceMap || !line || !column) return undefined;
    return sourceMap.findEntry(line - 1, column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
      name?: string;
    };
  };
  const mapFrame = (frame: CallSite): Mapped | undefined => {
    const file = frame.getFileName();
    if (file !== bundleUrl && file !== bundlePath) return undefined;
    const entry = entryAt(frame.getLineNumber(), frame.getColumnNumber());
    if (entry?.originalSource === undefined || entry.originalLine === undefined) return undefined;
    // The function's own name, from where it starts (the minified name says nothing).
    const enclosing = entryAt(frame.getEnclosingLineNumber?.(), frame.getEnclosingColumnNumber?.());
    return {
      source: entry.originalSource,
      line: entry.originalLine + 1,
      column: (entry.originalColumn ?? 0) + 1,
      name: enclosing?.name,
    };
  };
  return (error, frames) =>
    [headerOf(error), ...frames.map((frame) => frameText(frame, mapFrame(frame)))].join('\n');
};

const installed = new Set<string>();

/**
 * Maps stacks through the bundle's map when this code runs from a bundle that has one, and Node
 * maps none itself. Once per process; true when installed.
 */
export const mapStackTracesOfBundle = (moduleUrl: string = import.meta.url): boolean => {
  if (!moduleUrl.startsWith('file:') || process.sourceMapsEnabled) return false;
  const bundleFile = fileURLToPath(moduleUrl);
  const mapFile = `${bundleFile}.map`;
  if (!existsSync(mapFile) || installed.has(bundleFile)) return installed.has(bundleFile);
  Error.prepareStackTrace = sourceMappedStackTrace(bundleFile, mapFile);
  installed.add(bundleFile);
  return true;
};
