/**
 * The bit of the WebAssembly global our kernels use (minhash-wasm.ts, cosine-wasm.ts). The project's
 * type libraries (ES2023 + @types/node 20) do not declare WebAssembly, so it is typed here and looked
 * up at run time: a runtime without it (or without SIMD) gets `undefined` and the JavaScript path.
 */
export const PAGE_BYTES = 65536;

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmModule {
  readonly kind?: never;
}

interface WasmGlobal {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown };
}

const wasmGlobal = (globalThis as { WebAssembly?: WasmGlobal }).WebAssembly;

/** Compiles a module from its base64 bytes on first use; undefined when this runtime cannot run it. */
export function moduleLoader(base64: string): () => WasmModule | undefined {
  let cached: WasmModule | null | undefined;
  return () => {
    if (cached === undefined) {
      try {
        const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
        cached = wasmGlobal !== undefined && wasmGlobal.validate(bytes) ? new wasmGlobal.Module(bytes) : null;
      } catch {
        cached = null;
      }
    }
    return cached ?? undefined;
  };
}

/** The exports of a new instance of a module that `moduleLoader` returned. */
export function instantiate<Exports>(module: WasmModule): Exports {
  return new wasmGlobal!.Instance(module, {}).exports as Exports;
}
