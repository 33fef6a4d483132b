;; MinHash kernel, WebAssembly SIMD (128-bit, i32x4). Same math as computeSignature in minhash.ts:
;;     out[k] = min over shingles x of (a[k]·x + b[k] mod 2^32), compared as signed int32
;; i32x4.mul and i32x4.add wrap mod 2^32 like Math.imul and `| 0`, and i32x4.min_s is the signed
;; minimum, so the result is bit-identical to the JavaScript kernel.
;;
;; Layout (byte offsets chosen by minhash-wasm.ts):
;;   params:   a[0..perms) then b[0..perms), i32 each; perms is a multiple of 16
;;   shingles: count i32 shingle hashes
;;   out:      perms i32 minima
;; Permutations are processed 16 at a time (four i32x4 accumulators held in locals); for each block
;; every shingle is loaded once, splatted to four lanes, and costs 4 × (mul, add, min). The kernel is
;; bound by i32x4.mul throughput (we measured ≈ 0.1 ns per shingle × permutation).
;;
;; Rebuild the committed bytes (minhash-wasm-binary.ts) with: npm run build:wasm
(module
  (memory (export "memory") 1)

  (func (export "minhash")
    (param $params i32) (param $perms i32) (param $shingles i32) (param $count i32) (param $out i32)
    (local $block i32) (local $pa i32) (local $pb i32) (local $ptr i32) (local $end i32) (local $dst i32)
    (local $x v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128)

    (local.set $end (i32.add (local.get $shingles) (i32.shl (local.get $count) (i32.const 2))))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $block) (local.get $perms)))
        (local.set $pa (i32.add (local.get $params) (i32.shl (local.get $block) (i32.const 2))))
        (local.set $pb (i32.add (local.get $pa) (i32.shl (local.get $perms) (i32.const 2))))
        (local.set $a0 (v128.load offset=0 (local.get $pa)))
        (local.set $a1 (v128.load offset=16 (local.get $pa)))
        (local.set $a2 (v128.load offset=32 (local.get $pa)))
        (local.set $a3 (v128.load offset=48 (local.get $pa)))
        (local.set $b0 (v128.load offset=0 (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        (local.set $b2 (v128.load offset=32 (local.get $pb)))
        (local.set $b3 (v128.load offset=48 (local.get $pb)))
        (local.set $m0 (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
        (local.set $m1 (local.get $m0))
        (local.set $m2 (local.get $m0))
        (local.set $m3 (local.get $m0))

        (local.set $ptr (local.get $shingles))
        (block $shingles_done
          (loop $each
            (br_if $shingles_done (i32.ge_u (local.get $ptr) (local.get $end)))
            (local.set $x (v128.load32_splat (local.get $ptr)))
            (local.set $m0 (i32x4.min_s (local.get $m0)
              (i32x4.add (i32x4.mul (local.get $x) (local.get $a0)) (local.get $b0))))
            (local.set $m1 (i32x4.min_s (local.get $m1)
              (i32x4.add (i32x4.mul (local.get $x) (local.get $a1)) (local.get $b1))))
            (local.set $m2 (i32x4.min_s (local.get $m2)
              (i32x4.add (i32x4.mul (local.get $x) (local.get $a2)) (local.get $b2))))
            (local.set $m3 (i32x4.min_s (local.get $m3)
              (i32x4.add (i32x4.mul (local.get $x) (local.get $a3)) (local.get $b3))))
            (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
            (br $each)))

        (local.set $dst (i32.add (local.get $out) (i32.shl (local.get $block) (i32.const 2))))
        (v128.store offset=0 (local.get $dst) (local.get $m0))
        (v128.store offset=16 (local.get $dst) (local.get $m1))
        (v128.store offset=32 (local.get $dst) (local.get $m2))
        (v128.store offset=48 (local.get $dst) (local.get $m3))
        (local.set $block (i32.add (local.get $block) (i32.const 16)))
        (br $blocks)))
  )
)
