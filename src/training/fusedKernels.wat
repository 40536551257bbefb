;; Gradient Lens' fused kernels for the tfjs wasm backend (src/training/fusedKernels.ts).
;;
;; They run on the backend's own memory (imported; the build writes a second binary whose memory
;; is shared, for the threaded build) and read and write tensors where tfjs keeps them, so one
;; pass over a gradient replaces the 5-13 passes of the tfjs ops they stand for (issue 19: Adam's
;; update was 45% of an MLP 50x512 step, the statistics another 14%). 128-bit SIMD, 4 floats at
;; a time, and a scalar loop for the last n mod 4. scripts/build.mjs assembles this with wabt.
(module
  (import "env" "memory" (memory MEMORY_LIMITS))

;; Statistics of one gradient tensor: writes [sum of g^2, sum of |g|, max |g|] as 3 float32 at
  ;; $out. 8 floats a step in two float32 accumulators (the loop is bound by the add's latency, so
  ;; two chains run in parallel); every block of 1,024 floats their sums go into float64 ones, so
  ;; a 13 M-weight kernel loses no more precision than a 1,024-float sum. The max is NaN when any g
  ;; is NaN (f32x4.max and f32.max propagate it), as a gradient's norm is.
  (func (export "gradientStats") (param $x i32) (param $n i32) (param $out i32)
    (local $i i32) (local $end i32) (local $blockEnd i32) (local $p i32)
    (local $a v128) (local $b v128) (local $mx v128)
    (local $sqA v128) (local $sqB v128) (local $abA v128) (local $abB v128)
    (local $sq64 v128) (local $ab64 v128) (local $fold v128)
    (local $s f64) (local $sumSq f64) (local $sumAbs f64) (local $max f32)
    (local.set $end (i32.and (local.get $n) (i32.const -8)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $blockEnd (select
          (i32.add (local.get $i) (i32.const 1024)) (local.get $end)
          (i32.lt_u (i32.add (local.get $i) (i32.const 1024)) (local.get $end))))
        (local.set $sqA (v128.const f32x4 0 0 0 0))
        (local.set $sqB (v128.const f32x4 0 0 0 0))
        (local.set $abA (v128.const f32x4 0 0 0 0))
        (local.set $abB (v128.const f32x4 0 0 0 0))
        (loop $inner
          (local.set $p (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $a (f32x4.abs (v128.load align=4 (local.get $p))))
          (local.set $b (f32x4.abs (v128.load offset=16 align=4 (local.get $p))))
          (local.set $mx (f32x4.max (local.get $mx) (f32x4.max (local.get $a) (local.get $b))))
          (local.set $abA (f32x4.add (local.get $abA) (local.get $a)))
          (local.set $abB (f32x4.add (local.get $abB) (local.get $b)))
          (local.set $sqA (f32x4.add (local.get $sqA) (f32x4.mul (local.get $a) (local.get $a))))
          (local.set $sqB (f32x4.add (local.get $sqB) (f32x4.mul (local.get $b) (local.get $b))))
          (local.set $i (i32.add (local.get $i) (i32.const 8)))
          (br_if $inner (i32.lt_u (local.get $i) (local.get $blockEnd))))
        (local.set $fold (f32x4.add (local.get $sqA) (local.get $sqB)))
        (local.set $sq64 (f64x2.add (local.get $sq64) (f64x2.add
          (f64x2.promote_low_f32x4 (local.get $fold))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $fold) (local.get $fold))))))
        (local.set $fold (f32x4.add (local.get $abA) (local.get $abB)))
        (local.set $ab64 (f64x2.add (local.get $ab64) (f64x2.add
          (f64x2.promote_low_f32x4 (local.get $fold))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $fold) (local.get $fold))))))
        (br $blocks)))
    (local.set $sumSq (f64.add (f64x2.extract_lane 0 (local.get $sq64)) (f64x2.extract_lane 1 (local.get $sq64))))
    (local.set $sumAbs (f64.add (f64x2.extract_lane 0 (local.get $ab64)) (f64x2.extract_lane 1 (local.get $ab64))))
    (local.set $max (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $mx)) (f32x4.extract_lane 1 (local.get $mx)))
      (f32.max (f32x4.extract_lane 2 (local.get $mx)) (f32x4.extract_lane 3 (local.get $mx)))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (f64.promote_f32 (f32.abs (f32.load align=4 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $max (f32.max (local.get $max) (f32.demote_f64 (local.get $s))))
        (local.set $sumAbs (f64.add (local.get $sumAbs) (local.get $s)))
        (local.set $sumSq (f64.add (local.get $sumSq) (f64.mul (local.get $s) (local.get $s))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (f32.store align=4 (local.get $out) (f32.demote_f64 (local.get $sumSq)))
    (f32.store offset=4 align=4 (local.get $out) (f32.demote_f64 (local.get $sumAbs)))
    (f32.store offset=8 align=4 (local.get $out) (local.get $max)))

  ;; One Adam update of one weight tensor (Kingma & Ba 2015, Algorithm 1, in tfjs 4.22's
  ;; AdamOptimizer order, so the results are bit for bit those of tfjs' ops):
  ;;   m' = m*beta1 + g*(1-beta1);  v' = v*beta2 + g^2*(1-beta2)
  ;;   w' = ((m'/c1) / (sqrt(v'/c2) + epsilon)) * (-lr) + w,   c1 = 1-beta1^t, c2 = 1-beta2^t
  ;; All float32. Writes w', m', v' to their own buffers (tfjs assigns them to the variables).
  (func (export "adam")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32)
    (param $wOut i32) (param $mOut i32) (param $vOut i32) (param $n i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $c1 f32) (param $c2 f32) (param $epsilon f32) (param $negLr f32)
    (local $i i32) (local $end i32) (local $at i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $b1 v128) (local $nb1 v128) (local $b2 v128) (local $nb2 v128)
    (local $c1v v128) (local $c2v v128) (local $ev v128) (local $lrv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $nb1 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $nb2 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $c1v (f32x4.splat (local.get $c1)))
    (local.set $c2v (f32x4.splat (local.get $c2)))
    (local.set $ev (f32x4.splat (local.get $epsilon)))
    (local.set $lrv (f32x4.splat (local.get $negLr)))
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $vector
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gv (v128.load align=4 (i32.add (local.get $g) (local.get $at))))
        (local.set $mv (f32x4.add
          (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $at))) (local.get $b1))
          (f32x4.mul (local.get $gv) (local.get $nb1))))
        (local.set $vv (f32x4.add
          (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $at))) (local.get $b2))
          (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $nb2))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $at)) (local.get $mv))
        (v128.store align=4 (i32.add (local.get $vOut) (local.get $at)) (local.get $vv))
        (v128.store align=4 (i32.add (local.get $wOut) (local.get $at))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mv) (local.get $c1v))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $c2v))) (local.get $ev)))
              (local.get $lrv))
            (v128.load align=4 (i32.add (local.get $w) (local.get $at)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vector)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load align=4 (i32.add (local.get $g) (local.get $at))))
        (local.set $ms (f32.add
          (f32.mul (f32.load align=4 (i32.add (local.get $m) (local.get $at))) (local.get $beta1))
          (f32.mul (local.get $gs) (local.get $oneMinusBeta1))))
        (local.set $vs (f32.add
          (f32.mul (f32.load align=4 (i32.add (local.get $v) (local.get $at))) (local.get $beta2))
          (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $oneMinusBeta2))))
        (f32.store align=4 (i32.add (local.get $mOut) (local.get $at)) (local.get $ms))
        (f32.store align=4 (i32.add (local.get $vOut) (local.get $at)) (local.get $vs))
        (f32.store align=4 (i32.add (local.get $wOut) (local.get $at))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $c1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $c2))) (local.get $epsilon)))
              (local.get $negLr))
            (f32.load align=4 (i32.add (local.get $w) (local.get $at)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; ---- Batch normalization over the last axis of a [rows, C] float32 matrix (training mode,
  ;; fastBatchNorm.ts). tfjs runs it as moments + FusedBatchNorm forward and ~10 broadcasting ops
  ;; backward, each a pass over the whole input (16 ms for a 2 MB activation here, issue 19);
  ;; these take two passes each way. Per-channel sums go into float64 accumulators at $acc (2 * C
  ;; float64, zeroed here), so a 32,768-row sum loses nothing to float32 rounding.

  ;; acc[c] += x[r, c] over rows (float64), 2 channels a step. $shift: the float64 array to
  ;; subtract before adding (0 for none), $square: add (x - shift)^2 instead of x.
  (func $channelSums64 (param $x i32) (param $rows i32) (param $C i32) (param $acc i32) (param $shift i32) (param $square i32)
    (local $r i32) (local $c i32) (local $row i32) (local $at i32) (local $v v128) (local $s f64)
    (local.set $c (i32.const 0))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $c) (local.get $C)))
        (f64.store (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))) (f64.const 0))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $zero)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $C)) (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.gt_u (i32.add (local.get $c) (i32.const 2)) (local.get $C)))
            (local.set $v (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))))
            (if (local.get $shift)
              (then (local.set $v (f64x2.sub (local.get $v) (v128.load align=8 (i32.add (local.get $shift) (i32.shl (local.get $c) (i32.const 3))))))))
            (if (local.get $square)
              (then (local.set $v (f64x2.mul (local.get $v) (local.get $v)))))
            (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))
            (v128.store align=8 (local.get $at) (f64x2.add (v128.load align=8 (local.get $at)) (local.get $v)))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))
            (br $pairs)))
        (if (i32.lt_u (local.get $c) (local.get $C))
          (then
            (local.set $s (f64.promote_f32 (f32.load align=4 (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))))
            (if (local.get $shift)
              (then (local.set $s (f64.sub (local.get $s) (f64.load align=8 (i32.add (local.get $shift) (i32.shl (local.get $c) (i32.const 3))))))))
            (if (local.get $square)
              (then (local.set $s (f64.mul (local.get $s) (local.get $s)))))
            (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))
            (f64.store align=8 (local.get $at) (f64.add (f64.load align=8 (local.get $at)) (local.get $s)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; Batch mean and biased variance per channel, two passes (the variance of the centered values,
  ;; as tfjs' moments computes it), in float64: writes mean[C] and variance[C] as float32.
  ;; $acc: 2 * C float64 of scratch (8-byte aligned).
  (func (export "channelMoments") (param $x i32) (param $rows i32) (param $C i32) (param $acc i32) (param $mean i32) (param $variance i32)
    (local $c i32) (local $n f64) (local $at i32) (local $m f64)
    (local.set $n (f64.convert_i32_u (local.get $rows)))
    (call $channelSums64 (local.get $x) (local.get $rows) (local.get $C) (local.get $acc) (i32.const 0) (i32.const 0))
    (block $meansDone
      (loop $means
        (br_if $meansDone (i32.ge_u (local.get $c) (local.get $C)))
        (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))
        (local.set $m (f64.div (f64.load align=8 (local.get $at)) (local.get $n)))
        (f64.store align=8 (local.get $at) (local.get $m))
        (f32.store align=4 (i32.add (local.get $mean) (i32.shl (local.get $c) (i32.const 2))) (f32.demote_f64 (local.get $m)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $means)))
    (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $C) (i32.const 3))))
    (call $channelSums64 (local.get $x) (local.get $rows) (local.get $C) (local.get $at) (local.get $acc) (i32.const 1))
    (local.set $c (i32.const 0))
    (block $varsDone
      (loop $vars
        (br_if $varsDone (i32.ge_u (local.get $c) (local.get $C)))
        (f32.store align=4 (i32.add (local.get $variance) (i32.shl (local.get $c) (i32.const 2)))
          (f32.demote_f64 (f64.div (f64.load align=8 (i32.add (local.get $at) (i32.shl (local.get $c) (i32.const 3)))) (local.get $n))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $vars))))

  ;; out[r, c] = (u[r, c] - p[c]) * k[c] - (v[r, c] - m[c]) * q[c], 4 channels a step; with $v = 0
  ;; the second term is left out and q is added instead: out = (u - p) * k + q. Batch norm's
  ;; forward is (x - mean) * (gamma / std) + beta; its input gradient (dy - dBeta / n) * (gamma /
  ;; std) - (x - mean) * (gamma / std^2 * dGamma / n).
  (func (export "channelAffine") (param $u i32) (param $v i32) (param $rows i32) (param $C i32)
    (param $p i32) (param $k i32) (param $m i32) (param $q i32) (param $out i32)
    (local $r i32) (local $c i32) (local $base i32) (local $at i32) (local $ch i32) (local $y v128) (local $s f32)
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $base (i32.shl (i32.mul (local.get $r) (local.get $C)) (i32.const 2)))
        (local.set $c (i32.const 0))
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $C)))
            (local.set $ch (i32.shl (local.get $c) (i32.const 2)))
            (local.set $at (i32.add (local.get $base) (local.get $ch)))
            (local.set $y (f32x4.mul
              (f32x4.sub (v128.load align=4 (i32.add (local.get $u) (local.get $at))) (v128.load align=4 (i32.add (local.get $p) (local.get $ch))))
              (v128.load align=4 (i32.add (local.get $k) (local.get $ch)))))
            (if (local.get $v)
              (then (local.set $y (f32x4.sub (local.get $y) (f32x4.mul
                (f32x4.sub (v128.load align=4 (i32.add (local.get $v) (local.get $at))) (v128.load align=4 (i32.add (local.get $m) (local.get $ch))))
                (v128.load align=4 (i32.add (local.get $q) (local.get $ch)))))))
              (else (local.set $y (f32x4.add (local.get $y) (v128.load align=4 (i32.add (local.get $q) (local.get $ch)))))))
            (v128.store align=4 (i32.add (local.get $out) (local.get $at)) (local.get $y))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $quads)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $ch (i32.shl (local.get $c) (i32.const 2)))
            (local.set $at (i32.add (local.get $base) (local.get $ch)))
            (local.set $s (f32.mul
              (f32.sub (f32.load align=4 (i32.add (local.get $u) (local.get $at))) (f32.load align=4 (i32.add (local.get $p) (local.get $ch))))
              (f32.load align=4 (i32.add (local.get $k) (local.get $ch)))))
            (if (local.get $v)
              (then (local.set $s (f32.sub (local.get $s) (f32.mul
                (f32.sub (f32.load align=4 (i32.add (local.get $v) (local.get $at))) (f32.load align=4 (i32.add (local.get $m) (local.get $ch))))
                (f32.load align=4 (i32.add (local.get $q) (local.get $ch)))))))
              (else (local.set $s (f32.add (local.get $s) (f32.load align=4 (i32.add (local.get $q) (local.get $ch)))))))
            (f32.store align=4 (i32.add (local.get $out) (local.get $at)) (local.get $s))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $tail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; Batch norm's weight gradients per channel, in float64: dBeta[c] = sum dy, dGamma[c] = sum dy
  ;; * (x - mean[c]) * invStd[c], over rows; written as float32. $acc: 2 * C float64 of scratch.
  (func (export "batchNormWeightGradients") (param $dy i32) (param $x i32) (param $rows i32) (param $C i32)
    (param $mean i32) (param $invStd i32) (param $acc i32) (param $dBeta i32) (param $dGamma i32)
    (local $r i32) (local $c i32) (local $at i32) (local $ch i32) (local $g v128) (local $xh v128) (local $a2 i32)
    (local $gs f64) (local $xs f64)
    (local.set $a2 (i32.add (local.get $acc) (i32.shl (local.get $C) (i32.const 3))))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $c) (i32.shl (local.get $C) (i32.const 1))))
        (f64.store (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))) (f64.const 0))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $zero)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $at (i32.shl (i32.mul (local.get $r) (local.get $C)) (i32.const 2)))
        (local.set $c (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.gt_u (i32.add (local.get $c) (i32.const 2)) (local.get $C)))
            (local.set $ch (i32.shl (local.get $c) (i32.const 2)))
            (local.set $g (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (i32.add (i32.add (local.get $dy) (local.get $at)) (local.get $ch)))))
            (local.set $xh (f64x2.mul
              (f64x2.sub
                (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (i32.add (i32.add (local.get $x) (local.get $at)) (local.get $ch))))
                (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (i32.add (local.get $mean) (local.get $ch)))))
              (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (i32.add (local.get $invStd) (local.get $ch))))))
            (v128.store align=8 (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3)))
              (f64x2.add (v128.load align=8 (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3)))) (local.get $g)))
            (v128.store align=8 (i32.add (local.get $a2) (i32.shl (local.get $c) (i32.const 3)))
              (f64x2.add (v128.load align=8 (i32.add (local.get $a2) (i32.shl (local.get $c) (i32.const 3)))) (f64x2.mul (local.get $g) (local.get $xh))))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))
            (br $pairs)))
        (if (i32.lt_u (local.get $c) (local.get $C))
          (then
            (local.set $ch (i32.shl (local.get $c) (i32.const 2)))
            (local.set $gs (f64.promote_f32 (f32.load align=4 (i32.add (i32.add (local.get $dy) (local.get $at)) (local.get $ch)))))
            (local.set $xs (f64.mul
              (f64.sub
                (f64.promote_f32 (f32.load align=4 (i32.add (i32.add (local.get $x) (local.get $at)) (local.get $ch))))
                (f64.promote_f32 (f32.load align=4 (i32.add (local.get $mean) (local.get $ch)))))
              (f64.promote_f32 (f32.load align=4 (i32.add (local.get $invStd) (local.get $ch))))))
            (f64.store align=8 (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3)))
              (f64.add (f64.load align=8 (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3)))) (local.get $gs)))
            (f64.store align=8 (i32.add (local.get $a2) (i32.shl (local.get $c) (i32.const 3)))
              (f64.add (f64.load align=8 (i32.add (local.get $a2) (i32.shl (local.get $c) (i32.const 3)))) (f64.mul (local.get $gs) (local.get $xs))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop)))
    (local.set $c (i32.const 0))
    (block $outDone
      (loop $outs
        (br_if $outDone (i32.ge_u (local.get $c) (local.get $C)))
        (f32.store align=4 (i32.add (local.get $dBeta) (i32.shl (local.get $c) (i32.const 2)))
          (f32.demote_f64 (f64.load align=8 (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))))
        (f32.store align=4 (i32.add (local.get $dGamma) (i32.shl (local.get $c) (i32.const 2)))
          (f32.demote_f64 (f64.load align=8 (i32.add (local.get $a2) (i32.shl (local.get $c) (i32.const 3))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $outs))))

  ;; Sums over the leading axis of a [rows, cols] float32 matrix (tfjs' Sum and Mean over NHWC's
  ;; [0, 1, 2], a bias's or batch norm's reduction): out[c] = x[0, c] + x[1, c] + ... in row
  ;; order, which is the order tfjs' own kernel adds them in after it transposes the input to
  ;; [cols, rows] (the transpose is what this saves: 6% of a ResNet-20 step). With $divide set,
  ;; each sum is then divided by $rows (tfjs' Mean).
  (func (export "columnSums") (param $x i32) (param $rows i32) (param $cols i32) (param $out i32) (param $divide i32)
    (local $r i32) (local $c i32) (local $end i32) (local $row i32) (local $at i32) (local $n f32)
    (local.set $end (i32.and (local.get $cols) (i32.const -4)))
    (local.set $c (i32.const 0))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $c) (local.get $cols)))
        (f32.store align=4 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))) (f32.const 0))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $zero)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $vectorDone
          (loop $vector
            (br_if $vectorDone (i32.ge_u (local.get $c) (local.get $end)))
            (local.set $at (i32.shl (local.get $c) (i32.const 2)))
            (v128.store align=4 (i32.add (local.get $out) (local.get $at))
              (f32x4.add (v128.load align=4 (i32.add (local.get $out) (local.get $at)))
                         (v128.load align=4 (i32.add (local.get $row) (local.get $at)))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $vector)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $at (i32.shl (local.get $c) (i32.const 2)))
            (f32.store align=4 (i32.add (local.get $out) (local.get $at))
              (f32.add (f32.load align=4 (i32.add (local.get $out) (local.get $at)))
                       (f32.load align=4 (i32.add (local.get $row) (local.get $at)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $tail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop)))
    (if (local.get $divide)
      (then
        (local.set $n (f32.convert_i32_u (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $divided
          (loop $div
            (br_if $divided (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $at (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
            (f32.store align=4 (local.get $at) (f32.div (f32.load align=4 (local.get $at)) (local.get $n)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $div))))))

  ;; ---- Transpose (src/training/wasmTranspose.ts) ----------------------------------------------
  ;; tfjs' wasm Transpose moves about 1 GB/s, and a ResNet-20 step calls it ~86 times (the conv
  ;; filter gradient and every transposed matrix product). A transpose of 4-byte elements, after
  ;; wasmTranspose.ts has merged the axes that stay adjacent, is one of two 2-D moves repeated over
  ;; up to 4 outer axes: copying rows (the innermost axis stays innermost) or transposing a
  ;; matrix (it does not). All addresses and strides are in bytes; a copy, so bit for bit.

  ;; $rows rows of $bytes bytes (a multiple of 4), $srcRow apart, to rows $dstRow apart. Rows of
  ;; 256 bytes or more go to memory.copy; shorter ones are copied 16 bytes at a time, as a call of
  ;; memory.copy costs more than a few vector moves.
  (func $transposeCopyRows (param $src i32) (param $dst i32) (param $rows i32) (param $bytes i32) (param $srcRow i32) (param $dstRow i32)
    (local $i i32) (local $end i32)
    (if (i32.eqz (local.get $rows)) (then (return)))
    (if (i32.ge_u (local.get $bytes) (i32.const 256))
      (then
        (loop $long
          (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
          (local.set $src (i32.add (local.get $src) (local.get $srcRow)))
          (local.set $dst (i32.add (local.get $dst) (local.get $dstRow)))
          (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
          (br_if $long (local.get $rows)))
        (return)))
    (local.set $end (i32.and (local.get $bytes) (i32.const -16)))
    (loop $short
      (local.set $i (i32.const 0))
      (block $vectorDone
        (loop $vector
          (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $end)))
          (v128.store align=4 (i32.add (local.get $dst) (local.get $i)) (v128.load align=4 (i32.add (local.get $src) (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br $vector)))
      (block $tailDone
        (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $i) (local.get $bytes)))
          (i32.store align=4 (i32.add (local.get $dst) (local.get $i)) (i32.load align=4 (i32.add (local.get $src) (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $tail)))
      (local.set $src (i32.add (local.get $src) (local.get $srcRow)))
      (local.set $dst (i32.add (local.get $dst) (local.get $dstRow)))
      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
      (br_if $short (local.get $rows))))

  ;; Element by element, rows [$r0, $r1) x columns [$c0, $c1) of the matrix below: the edges the
  ;; 4x4 tiles leave. i32 moves, so NaN payloads pass untouched.
  (func $transposeScalar (param $src i32) (param $dst i32) (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32) (param $srcRow i32) (param $dstRow i32)
    (local $r i32) (local $c i32)
    (if (i32.ge_u (local.get $c0) (local.get $c1)) (then (return)))
    (local.set $r (local.get $r0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $c (local.get $c0))
        (loop $colLoop
          (i32.store align=4
            (i32.add (local.get $dst) (i32.add (i32.mul (local.get $c) (local.get $dstRow)) (i32.shl (local.get $r) (i32.const 2))))
            (i32.load align=4
              (i32.add (local.get $src) (i32.add (i32.mul (local.get $r) (local.get $srcRow)) (i32.shl (local.get $c) (i32.const 2))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $colLoop (i32.lt_u (local.get $c) (local.get $c1))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; A [$rows, $cols] matrix (rows $srcRow bytes apart, elements contiguous) to [$cols, $rows]
  ;; (rows $dstRow apart). A matrix of up to 4,096 elements, at least 4x4 (a narrower one is all
  ;; scalar edges, where staging only adds a copy), is first copied row by row into
  ;; $scratch (16 KiB of tfjs' heap that wasmTranspose.ts allocated; 0 for none), then written
  ;; out 4 output rows at a time, each row whole: in training the rows are often a power-of-two
  ;; stride apart (the batch axis of NHWC), so in place they all fall in one cache set and the
  ;; partly written output lines were evicted before they were complete.
  (func $transposeTiles (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $srcRow i32) (param $dstRow i32) (param $scratch i32)
    (if (i32.and
          (i32.and (i32.ne (local.get $scratch) (i32.const 0)) (i32.le_u (i32.mul (local.get $rows) (local.get $cols)) (i32.const 4096)))
          (i32.and (i32.ge_u (local.get $rows) (i32.const 4)) (i32.ge_u (local.get $cols) (i32.const 4))))
      (then
        (call $transposeCopyRows (local.get $src) (local.get $scratch) (local.get $rows) (i32.shl (local.get $cols) (i32.const 2)) (local.get $srcRow) (i32.shl (local.get $cols) (i32.const 2)))
        (call $transposeBlocks (local.get $scratch) (local.get $dst) (local.get $rows) (local.get $cols) (i32.shl (local.get $cols) (i32.const 2)) (local.get $dstRow) (i32.const 4))
        (return)))
    (call $transposeBlocks (local.get $src) (local.get $dst) (local.get $rows) (local.get $cols) (local.get $srcRow) (local.get $dstRow) (i32.const 64)))

  ;; The matrix transpose itself: 4x4 tiles (four row loads, two rounds of i32x4 shuffles, four
  ;; column stores), columns in blocks of $block (64 for a large matrix, so the 64 output rows
  ;; being written stay in L1 while the rows go by), then the scalar edges (rows mod 4, cols mod 4).
  (func $transposeBlocks (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $srcRow i32) (param $dstRow i32) (param $block i32)
    (local $rows4 i32) (local $cols4 i32) (local $cb i32) (local $cbEnd i32) (local $r i32) (local $c i32)
    (local $s i32) (local $d i32) (local $dstRow4 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $dstRow4 (i32.shl (local.get $dstRow) (i32.const 2)))
    (if (i32.and (i32.ne (local.get $rows4) (i32.const 0)) (i32.ne (local.get $cols4) (i32.const 0)))
      (then
        (block $blocksDone
          (loop $blocks
            (br_if $blocksDone (i32.ge_u (local.get $cb) (local.get $cols4)))
            (local.set $cbEnd (select
              (i32.add (local.get $cb) (local.get $block)) (local.get $cols4)
              (i32.lt_u (i32.add (local.get $cb) (local.get $block)) (local.get $cols4))))
            (local.set $r (i32.const 0))
            (loop $rowLoop
              (local.set $c (local.get $cb))
              (local.set $s (i32.add (local.get $src) (i32.add (i32.mul (local.get $r) (local.get $srcRow)) (i32.shl (local.get $c) (i32.const 2)))))
              (local.set $d (i32.add (local.get $dst) (i32.add (i32.mul (local.get $c) (local.get $dstRow)) (i32.shl (local.get $r) (i32.const 2)))))
              (loop $colLoop
                (local.set $a0 (v128.load align=4 (local.get $s)))
                (local.set $a1 (v128.load align=4 (i32.add (local.get $s) (local.get $srcRow))))
                (local.set $a2 (v128.load align=4 (i32.add (local.get $s) (i32.shl (local.get $srcRow) (i32.const 1)))))
                (local.set $a3 (v128.load align=4 (i32.add (local.get $s) (i32.mul (local.get $srcRow) (i32.const 3)))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3)))
                (v128.store align=4 (local.get $d)
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (v128.store align=4 (i32.add (local.get $d) (local.get $dstRow))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (v128.store align=4 (i32.add (local.get $d) (i32.shl (local.get $dstRow) (i32.const 1)))
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (v128.store align=4 (i32.add (local.get $d) (i32.mul (local.get $dstRow) (i32.const 3)))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                (local.set $s (i32.add (local.get $s) (i32.const 16)))
                (local.set $d (i32.add (local.get $d) (local.get $dstRow4)))
                (local.set $c (i32.add (local.get $c) (i32.const 4)))
                (br_if $colLoop (i32.lt_u (local.get $c) (local.get $cbEnd))))
              (local.set $r (i32.add (local.get $r) (i32.const 4)))
              (br_if $rowLoop (i32.lt_u (local.get $r) (local.get $rows4))))
            (local.set $cb (local.get $cbEnd))
            (br $blocks)))))
    (call $transposeScalar (local.get $src) (local.get $dst) (local.get $rows4) (local.get $rows) (i32.const 0) (local.get $cols) (local.get $srcRow) (local.get $dstRow))
    (call $transposeScalar (local.get $src) (local.get $dst) (i32.const 0) (local.get $rows4) (local.get $cols4) (local.get $cols) (local.get $srcRow) (local.get $dstRow)))

  ;; The whole transpose: the 2-D move ($kind 0: $transposeCopyRows of $rows rows of $cols
  ;; elements; 1: $transposeTiles of a [$rows, $cols] matrix) at every index of 4 outer axes,
  ;; axis k with $nk indices, $sk bytes apart in the input and $dk in the output (axis 3 the
  ;; innermost loop; unused axes have $nk = 1). $scratch: see $transposeTiles. Nothing is done
  ;; when any count is 0.
  (func (export "transpose") (param $src i32) (param $dst i32) (param $scratch i32) (param $kind i32)
    (param $rows i32) (param $cols i32) (param $srcRow i32) (param $dstRow i32)
    (param $n0 i32) (param $s0 i32) (param $d0 i32) (param $n1 i32) (param $s1 i32) (param $d1 i32)
    (param $n2 i32) (param $s2 i32) (param $d2 i32) (param $n3 i32) (param $s3 i32) (param $d3 i32)
    (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $i3 i32)
    (local $ps0 i32) (local $ps1 i32) (local $ps2 i32) (local $ps3 i32)
    (local $pd0 i32) (local $pd1 i32) (local $pd2 i32) (local $pd3 i32) (local $bytes i32)
    (if (i32.or (i32.or (i32.or (i32.eqz (local.get $n0)) (i32.eqz (local.get $n1))) (i32.or (i32.eqz (local.get $n2)) (i32.eqz (local.get $n3))))
                (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $cols))))
      (then (return)))
    (local.set $bytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $ps0 (local.get $src)) (local.set $pd0 (local.get $dst)) (local.set $i0 (local.get $n0))
    (loop $l0
      (local.set $ps1 (local.get $ps0)) (local.set $pd1 (local.get $pd0)) (local.set $i1 (local.get $n1))
      (loop $l1
        (local.set $ps2 (local.get $ps1)) (local.set $pd2 (local.get $pd1)) (local.set $i2 (local.get $n2))
        (loop $l2
          (local.set $ps3 (local.get $ps2)) (local.set $pd3 (local.get $pd2)) (local.set $i3 (local.get $n3))
          (loop $l3
            (if (local.get $kind)
              (then (call $transposeTiles (local.get $ps3) (local.get $pd3) (local.get $rows) (local.get $cols) (local.get $srcRow) (local.get $dstRow) (local.get $scratch)))
              (else (call $transposeCopyRows (local.get $ps3) (local.get $pd3) (local.get $rows) (local.get $bytes) (local.get $srcRow) (local.get $dstRow))))
            (local.set $ps3 (i32.add (local.get $ps3) (local.get $s3))) (local.set $pd3 (i32.add (local.get $pd3) (local.get $d3)))
            (local.set $i3 (i32.sub (local.get $i3) (i32.const 1)))
            (br_if $l3 (local.get $i3)))
          (local.set $ps2 (i32.add (local.get $ps2) (local.get $s2))) (local.set $pd2 (i32.add (local.get $pd2) (local.get $d2)))
          (local.set $i2 (i32.sub (local.get $i2) (i32.const 1)))
          (br_if $l2 (local.get $i2)))
        (local.set $ps1 (i32.add (local.get $ps1) (local.get $s1))) (local.set $pd1 (i32.add (local.get $pd1) (local.get $d1)))
        (local.set $i1 (i32.sub (local.get $i1) (i32.const 1)))
        (br_if $l1 (local.get $i1)))
      (local.set $ps0 (i32.add (local.get $ps0) (local.get $s0))) (local.set $pd0 (i32.add (local.get $pd0) (local.get $d0)))
      (local.set $i0 (i32.sub (local.get $i0) (i32.const 1)))
      (br_if $l0 (local.get $i0))))
)
