;; Dot-product kernels for semantic dedup, WebAssembly SIMD (128-bit, f32x4). For unit vectors the
;; dot product is the cosine similarity (unit-vector.ts).
;;
;;   dots  (query, vectors, count, stride, out):  out[v]             = query · vectors[v]
;;   dots4 (queries, vectors, count, stride, out): out[j·count + v]  = queries[j] · vectors[v], j < 4
;;
;; Vectors are float32, `stride` floats apart (the dimension rounded up to a multiple of 4, padded
;; with zeros, which add nothing). Every pair is computed in the same order by both functions: four
;; lane sums acc += q·x over the dimension in steps of 4 (multiply, then add: no fused multiply-add,
;; which Node 20 lacks), then (lane0 + lane1) + (lane2 + lane3). So a pair gets bit-identical
;; similarity whether it was scored alone, in a block of four vectors, or with three other queries,
;; and a verdict never depends on how the records were batched.
;;
;; Why two shapes: a scan of the kept vectors is bound by memory bandwidth once they outgrow the
;; caches (≈ 9 M vectors/s of 256 floats on the benchmark machine); dots4 reads each stored vector
;; once for four queries, ≈ 2× the comparisons per second. dots handles four vectors per pass so
;; four independent accumulators hide the f32x4.add latency when there is one query.
;;
;; Rebuild the committed bytes (cosine-wasm-binary.ts) with: npm run build:wasm
(module
  (memory (export "memory") 1)

  (func $hsum (param $a v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
      (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))

  (func (export "dots")
    (param $query i32) (param $vectors i32) (param $count i32) (param $stride i32) (param $out i32)
    (local $v i32) (local $bytes i32) (local $o i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $x v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $bytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $p0 (local.get $vectors))
    ;; Four vectors per pass.
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.gt_u (i32.add (local.get $v) (i32.const 4)) (local.get $count)))
        (local.set $p1 (i32.add (local.get $p0) (local.get $bytes)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $bytes)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $bytes)))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0))
        (local.set $a3 (v128.const f32x4 0 0 0 0))
        (local.set $o (i32.const 0))
        (block $dim_done
          (loop $dim
            (br_if $dim_done (i32.ge_u (local.get $o) (local.get $bytes)))
            (local.set $x (v128.load (i32.add (local.get $query) (local.get $o))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $p0) (local.get $o))))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $p1) (local.get $o))))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $p2) (local.get $o))))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $p3) (local.get $o))))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $dim)))
        (f32.store offset=0 (local.get $out) (call $hsum (local.get $a0)))
        (f32.store offset=4 (local.get $out) (call $hsum (local.get $a1)))
        (f32.store offset=8 (local.get $out) (call $hsum (local.get $a2)))
        (f32.store offset=12 (local.get $out) (call $hsum (local.get $a3)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $p0 (i32.add (local.get $p3) (local.get $bytes)))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (br $quads)))
    ;; The remaining zero to three vectors, one at a time.
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $v) (local.get $count)))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $o (i32.const 0))
        (block $dim_done
          (loop $dim
            (br_if $dim_done (i32.ge_u (local.get $o) (local.get $bytes)))
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (v128.load (i32.add (local.get $query) (local.get $o))) (v128.load (i32.add (local.get $p0) (local.get $o))))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $dim)))
        (f32.store (local.get $out) (call $hsum (local.get $a0)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $p0 (i32.add (local.get $p0) (local.get $bytes)))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $tail))))

  (func (export "dots4")
    (param $queries i32) (param $vectors i32) (param $count i32) (param $stride i32) (param $out i32)
    (local $v i32) (local $bytes i32) (local $o i32) (local $p i32) (local $q1 i32) (local $q2 i32) (local $q3 i32)
    (local $plane i32) (local $dst i32)
    (local $x v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $bytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $plane (i32.shl (local.get $count) (i32.const 2)))
    (local.set $q1 (i32.add (local.get $queries) (local.get $bytes)))
    (local.set $q2 (i32.add (local.get $q1) (local.get $bytes)))
    (local.set $q3 (i32.add (local.get $q2) (local.get $bytes)))
    (local.set $p (local.get $vectors))
    (block $vectors_done
      (loop $each_vector
        (br_if $vectors_done (i32.ge_u (local.get $v) (local.get $count)))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0))
        (local.set $a3 (v128.const f32x4 0 0 0 0))
        (local.set $o (i32.const 0))
        (block $dim_done
          (loop $dim
            (br_if $dim_done (i32.ge_u (local.get $o) (local.get $bytes)))
            (local.set $x (v128.load (i32.add (local.get $p) (local.get $o))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (i32.add (local.get $queries) (local.get $o))) (local.get $x))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (i32.add (local.get $q1) (local.get $o))) (local.get $x))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (i32.add (local.get $q2) (local.get $o))) (local.get $x))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (i32.add (local.get $q3) (local.get $o))) (local.get $x))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $dim)))
        (local.set $dst (i32.add (local.get $out) (i32.shl (local.get $v) (i32.const 2))))
        (f32.store (local.get $dst) (call $hsum (local.get $a0)))
        (local.set $dst (i32.add (local.get $dst) (local.get $plane)))
        (f32.store (local.get $dst) (call $hsum (local.get $a1)))
        (local.set $dst (i32.add (local.get $dst) (local.get $plane)))
        (f32.store (local.get $dst) (call $hsum (local.get $a2)))
        (local.set $dst (i32.add (local.get $dst) (local.get $plane)))
        (f32.store (local.get $dst) (call $hsum (local.get $a3)))
        (local.set $p (i32.add (local.get $p) (local.get $bytes)))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $each_vector))))
)
