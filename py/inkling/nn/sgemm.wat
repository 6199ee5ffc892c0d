;; C = A @ B in float32, with WebAssembly SIMD: NumPy's missing BLAS, for Pyodide.
;;
;; A [M, K], B [K, N], C [M, N]; every stride is in bytes, as NumPy's `strides` gives them.
;; A may have any strides (its elements are read one at a time); B's and C's rows must be
;; contiguous and N a multiple of 4 (whole 128-bit vectors; the Python side pads).
;;
;; C is computed in tiles of 4 rows x 8 columns held in 8 vector registers: for each k, two
;; vectors of B's row k are multiplied by A[i..i+3, k] and added in, so every value loaded is
;; used 4 or 8 times. At the edges the tile's extra rows repeat row M-1 and its second vector
;; repeats the first (when only 4 columns are left): they compute and store the same values
;; twice, which keeps this one loop free of edge cases.
(module
  (import "env" "memory" (memory 0))
  (func (export "inkling_sgemm")
    (param $m i32) (param $n i32) (param $k i32)
    (param $a i32) (param $a_row i32) (param $a_col i32)
    (param $b i32) (param $b_row i32)
    (param $c i32) (param $c_row i32)
    (local $i i32) (local $j i32) (local $p i32) (local $last i32)
    (local $panel i32) (local $panel_end i32)
    (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $second i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $bp i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $x0 v128) (local $y0 v128) (local $x1 v128) (local $y1 v128)
    (local $x2 v128) (local $y2 v128) (local $x3 v128) (local $y3 v128)
    (local $u v128) (local $v v128) (local $s v128)
    (if (i32.or (i32.eqz (local.get $m)) (i32.eqz (local.get $n))) (then (return)))
    (local.set $last (i32.sub (local.get $m) (i32.const 1)))
    ;; C is done in panels of 256 columns (1 KB); in a panel, row tile by row tile, and in a row
    ;; tile, column tile by column tile. The panel's part of B (K x 1 KB) stays in the cache for
    ;; every row of A, and C is written 1 KB at a time. Measured in Pyodide under Node against
    ;; row tiles outside (where B's rows 32 KB apart kept evicting each other): a conv layer's
    ;; [16, 200] @ [200, 8192] 6.0 -> 3.6 ms and 8.4 -> 5.5 ms in two runs, [200, 16] @ [16, 8192]
    ;; 3.3 -> 3.8 and 4.5 -> 4.4 ms, the MLP's products unchanged; panels of 64 columns wrote C in
    ;; pieces too small (that last product: 5.1 -> 6.3 ms), of 1,024 gained no more.
    (local.set $panel (i32.const 0))
    (loop $panels
      (local.set $panel_end (select (i32.add (local.get $panel) (i32.const 256)) (local.get $n)
                                    (i32.lt_u (i32.add (local.get $panel) (i32.const 256)) (local.get $n))))
      (local.set $i (i32.const 0))
      (loop $rows
        ;; the tile's rows: i .. i+3, the missing ones at the bottom edge repeat row M-1
        (local.set $r1 (select (i32.add (local.get $i) (i32.const 1)) (local.get $last)
                               (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $m))))
        (local.set $r2 (select (i32.add (local.get $i) (i32.const 2)) (local.get $last)
                               (i32.lt_u (i32.add (local.get $i) (i32.const 2)) (local.get $m))))
        (local.set $r3 (select (i32.add (local.get $i) (i32.const 3)) (local.get $last)
                               (i32.lt_u (i32.add (local.get $i) (i32.const 3)) (local.get $m))))
        (local.set $j (local.get $panel))
        (loop $cols
          ;; byte offset of the tile's second vector: 16, or 0 when only 4 columns are left
          (local.set $second (select (i32.const 16) (i32.const 0)
                                     (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $n))))
          (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $a_row))))
          (local.set $a1 (i32.add (local.get $a) (i32.mul (local.get $r1) (local.get $a_row))))
          (local.set $a2 (i32.add (local.get $a) (i32.mul (local.get $r2) (local.get $a_row))))
          (local.set $a3 (i32.add (local.get $a) (i32.mul (local.get $r3) (local.get $a_row))))
          (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $x0 (v128.const i32x4 0 0 0 0)) (local.set $y0 (v128.const i32x4 0 0 0 0))
          (local.set $x1 (v128.const i32x4 0 0 0 0)) (local.set $y1 (v128.const i32x4 0 0 0 0))
          (local.set $x2 (v128.const i32x4 0 0 0 0)) (local.set $y2 (v128.const i32x4 0 0 0 0))
          (local.set $x3 (v128.const i32x4 0 0 0 0)) (local.set $y3 (v128.const i32x4 0 0 0 0))
          (local.set $p (local.get $k))
          (block $done
            (loop $sum
              (br_if $done (i32.eqz (local.get $p)))
              (local.set $u (v128.load (local.get $bp)))
              (local.set $v (v128.load (i32.add (local.get $bp) (local.get $second))))
              (local.set $s (f32x4.splat (f32.load (local.get $a0))))
              (local.set $x0 (f32x4.add (local.get $x0) (f32x4.mul (local.get $s) (local.get $u))))
              (local.set $y0 (f32x4.add (local.get $y0) (f32x4.mul (local.get $s) (local.get $v))))
              (local.set $s (f32x4.splat (f32.load (local.get $a1))))
              (local.set $x1 (f32x4.add (local.get $x1) (f32x4.mul (local.get $s) (local.get $u))))
              (local.set $y1 (f32x4.add (local.get $y1) (f32x4.mul (local.get $s) (local.get $v))))
              (local.set $s (f32x4.splat (f32.load (local.get $a2))))
              (local.set $x2 (f32x4.add (local.get $x2) (f32x4.mul (local.get $s) (local.get $u))))
              (local.set $y2 (f32x4.add (local.get $y2) (f32x4.mul (local.get $s) (local.get $v))))
              (local.set $s (f32x4.splat (f32.load (local.get $a3))))
              (local.set $x3 (f32x4.add (local.get $x3) (f32x4.mul (local.get $s) (local.get $u))))
              (local.set $y3 (f32x4.add (local.get $y3) (f32x4.mul (local.get $s) (local.get $v))))
              (local.set $a0 (i32.add (local.get $a0) (local.get $a_col)))
              (local.set $a1 (i32.add (local.get $a1) (local.get $a_col)))
              (local.set $a2 (i32.add (local.get $a2) (local.get $a_col)))
              (local.set $a3 (i32.add (local.get $a3) (local.get $a_col)))
              (local.set $bp (i32.add (local.get $bp) (local.get $b_row)))
              (local.set $p (i32.sub (local.get $p) (i32.const 1)))
              (br $sum)))
          (local.set $c0 (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $c_row)))
                                  (i32.shl (local.get $j) (i32.const 2))))
          (local.set $c1 (i32.add (i32.add (local.get $c) (i32.mul (local.get $r1) (local.get $c_row)))
                                  (i32.shl (local.get $j) (i32.const 2))))
          (local.set $c2 (i32.add (i32.add (local.get $c) (i32.mul (local.get $r2) (local.get $c_row)))
                                  (i32.shl (local.get $j) (i32.const 2))))
          (local.set $c3 (i32.add (i32.add (local.get $c) (i32.mul (local.get $r3) (local.get $c_row)))
                                  (i32.shl (local.get $j) (i32.const 2))))
          ;; second vectors first: when they repeat the first one, the first store still lands last
          (v128.store (i32.add (local.get $c0) (local.get $second)) (local.get $y0))
          (v128.store (i32.add (local.get $c1) (local.get $second)) (local.get $y1))
          (v128.store (i32.add (local.get $c2) (local.get $second)) (local.get $y2))
          (v128.store (i32.add (local.get $c3) (local.get $second)) (local.get $y3))
          (v128.store (local.get $c0) (local.get $x0))
          (v128.store (local.get $c1) (local.get $x1))
          (v128.store (local.get $c2) (local.get $x2))
          (v128.store (local.get $c3) (local.get $x3))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $panel_end))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $rows (i32.lt_u (local.get $i) (local.get $m))))
      (local.set $panel (local.get $panel_end))
      (br_if $panels (i32.lt_u (local.get $panel) (local.get $n))))))
