import { writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Session } from 'node:inspector/promises';
import type { Profiler } from 'node:inspector';
import { REPO_ROOT } from '../harness/index.js';
import { formatNumber, printTable } from './report.js';

/** Sampling interval of `--cpu-profile`, in microseconds (V8's default is 1,000). */
const SAMPLING_INTERVAL_US = 200;

/** Rows of each summary table. */
const TOP = 14;

/** A benchmark's result and the summary of its CPU profile, to print after it. */
export interface Profiled<T> {
  result: T;
  printSummary: () => void;
}

/**
 * Runs `body` under V8's sampling CPU profiler of this process (the engine
 * of ingest, decode, identity, decide and profile-read runs here; the child
 * processes of the others are not sampled) and writes the profile to
 * `dir/<name>.cpuprofile` for Chrome DevTools or speedscope. The summary
 * says where the time went: every function's own time grouped by its
 * package or Pulse library, and Pulse's library and service functions with
 * what they call. The benchmark's own set-up (building the workload) is in
 * the profile too: read the shares of the engine's functions against each other.
 */
export async function withCpuProfile<T>(
  dir: string,
  name: string,
  body: () => Promise<T>,
): Promise<Profiled<T>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await session.post('Profiler.start');
  const stop = async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return profile;
  };
  let result: T;
  try {
    result = await body();
  } catch (err) {
    await stop();
    throw err;
  }
  const profile = await stop();
  const path = join(dir, `${name}.cpuprofile`);
  writeFileSync(path, JSON.stringify(profile));
  return { result, printSummary: () => printProfileSummary(profile, path) };
}

/** Where a sampled frame's code lives: a Pulse file, a package, Node or V8. */
function ownerOf(url: string, functionName: string): string {
  // V8's own entries, and builtins of Node's C++ side (string codecs, microtasks).
  if (url === '') return functionName.startsWith('(') ? functionName : 'node (native)';
  if (url.startsWith('node:')) return 'node';
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const modules = path.lastIndexOf(`${sep}node_modules${sep}`);
  if (modules >= 0) {
    const [scopeOrName, name] = path.slice(modules + 14).split(sep);
    return scopeOrName!.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName!;
  }
  const inRepo = relative(REPO_ROOT, path);
  return inRepo.startsWith('..') ? 'node' : inRepo.split(sep).slice(0, 2).join('/');
}

/** A file of Pulse's libraries or services (not of the benchmarks and tests). */
function isPulse(url: string): boolean {
  if (!url.startsWith('file://') || url.includes('/node_modules/')) return false;
  const inRepo = relative(REPO_ROOT, new URL(url).pathname);
  return inRepo.startsWith(`libs${sep}`) || inRepo.startsWith(`services${sep}`);
}

/** Self time by owner, and time including callees of each Pulse function. */
function printProfileSummary(profile: Profiler.Profile, path: string): void {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let totalUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const us = deltas[i] ?? 0;
    totalUs += us;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + us);
  }
  if (totalUs === 0) return;

  const byOwner = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)!.callFrame;
    const owner = ownerOf(frame.url, frame.functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    // Each Pulse function on the stack once, however deep it recurses.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = nodes.get(cur)!.callFrame;
      // Callbacks without a name stand for the named function around them.
      if (!isPulse(f.url) || f.functionName === '') continue;
      const key = `${f.functionName}  ${relative(REPO_ROOT, new URL(f.url).pathname)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const share = (us: number) => `${((100 * us) / totalUs).toFixed(1)} %`;
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  console.log(`\n   cpu profile: ${formatNumber(totalUs / 1_000)} ms sampled, ${path}`);
  printTable(
    ['own time by owner', 'share'],
    top(byOwner).map(([owner, us]) => [owner, share(us)]),
  );
  printTable(
    ['Pulse function, with what it calls', 'share'],
    top(inclusive).map(([fn, us]) => [fn, share(us)]),
  );
}
