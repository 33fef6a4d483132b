/**
 * The V8 flags the `synthforge` executable starts the command line with (bin.ts), and that the
 * benchmarks give their measuring children so that they measure what the CLI runs.
 *
 * Incremental marking is off unless SYNTHFORGE_INCREMENTAL_MARKING=1. While post-processing, the main
 * thread's heap is small (≈ 20 MB), and V8 then starts marking again right after nearly every full
 * collection: a collection every 70–100 ms that frees almost nothing. Without incremental marking V8
 * collects when the heap reaches its limit or external memory grows. Measured on 2 cores: 10–16% less
 * CPU and wall time at 1M result lines, 3–5% more lines/s at 100K, the dedup caller's time per
 * document −10 to −25%, for 18–36 MiB more peak RSS (bench/README.md, "Ninth session").
 *
 * A leaf: bin.ts loads it before anything else.
 */
export function cliV8Flags(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.SYNTHFORGE_INCREMENTAL_MARKING === '1' ? [] : ['--no-incremental-marking'];
}
