;; The NDJSON checker's fast path. scripts/build-wasm.mjs compiles this file with wabt into
;; fast-path.wasm.ts (npm run build:generated); fast-path.ts loads it.
;;
;; fastLines reads a run of lines and stops at the first line it does not accept, which the
;; general machine in check.ts then reads and judges. It validates the whole JSON grammar of a
;; line: strings with every escape, numbers, true, false, null, objects and arrays nested up to
;; MAX_DEPTH (1000, as check.ts); the whitespace between tokens is space, tab or CR. It finds the
;; line's top-level "url" and "kind" members, the last of duplicate keys deciding, and accepts a
;; line only when it is one object whose url is a string neither empty nor blank and whose kind,
;; when present, is a string. For each line it accepts it writes a record of that url: where it
;; is, its hash and a few facts (see $url), for the checks of the urls across the file.
;;
;; Invariant: the full checker accepts every line this accepts, and counts it as one item. So the
;; general machine stays the one grammar of a line, and this may leave it any line it does not
;; want to decide. It leaves it two rare kinds of good line, to stay small where it is fast: a
;; top-level key written with an escape (it might spell "url"), and a deciding url whose first
;; character is a space or an escape (it might be blank: only JSON whitespace, raw or escaped).
;; Bytes from 0x80 up are taken as they come: the checker hands over no line with ill-formed
;; UTF-8.
;;
;; The small loops are written out where they are used rather than called: Node 20's V8 does not
;; inline WebAssembly calls, and a call per token cost a quarter of the speed. Escapes, rare,
;; are the exception.
(module
  ;; The checker copies the data in and says where: after the module's own data (below).
  (import "env" "memory" (memory 1))
  ;; Where fastLines writes the record of each line it accepts (see $url), one after the other.
  (import "env" "recordsAt" (global $recordsAt i32))

  ;; The module's own data, at the start of the memory, where loads reach it by their offset:
  ;;   SPACE  [0, 256)     1 for the whitespace between tokens (space, tab, CR), else 0
  ;;   PLAIN  [256, 512)   1 for the bytes a string holds as they are: not '"', '\' or a control
  ;;   STACK  [512, 1513)  the kind of each open container by depth (1 to MAX_DEPTH): 0 an object,
  ;;                       0x20 an array (the difference between '}' and ']', so the closer
  ;;                       expected is 0x7d ^ kind)
  (func $start
    (i32.store8 offset=0x09 (i32.const 0) (i32.const 1))
    (i32.store8 offset=0x0d (i32.const 0) (i32.const 1))
    (i32.store8 offset=0x20 (i32.const 0) (i32.const 1))
    (memory.fill (i32.const 0x120) (i32.const 1) (i32.const 0xe0))
    (i32.store8 offset=0x122 (i32.const 0) (i32.const 0))
    (i32.store8 offset=0x15c (i32.const 0) (i32.const 0)))
  (start $start)

  ;; How many lines the last call of fastLines accepted.
  (global $accepted (export "accepted") (mut i32) (i32.const 0))

  ;; The escape after a '\' at $p: returns the address after it, or 0 if it is not valid JSON.
  (func $escape (param $p i32) (result i32)
    (local $c i32)
    (local $hex v128)
    (local.set $c (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $c) (i32.const 0x75)) ;; 'u' and four hex digits
      (then
        (local.set $hex (v128.load align=1 (i32.add (local.get $p) (i32.const 1))))
        (return
          (select
            (i32.add (local.get $p) (i32.const 5))
            (i32.const 0)
            (i32.eq
              (i32.and
                (i8x16.bitmask
                  (v128.or
                    (i8x16.lt_u
                      (i8x16.sub (local.get $hex) (i8x16.splat (i32.const 0x30)))
                      (i8x16.splat (i32.const 10)))
                    (i8x16.lt_u
                      (i8x16.sub
                        (v128.or (local.get $hex) (i8x16.splat (i32.const 0x20)))
                        (i8x16.splat (i32.const 0x61)))
                      (i8x16.splat (i32.const 6)))))
                (i32.const 15))
              (i32.const 15))))))
    ;; " \ / b f n r t
    (select
      (i32.add (local.get $p) (i32.const 1))
      (i32.const 0)
      (i32.or
        (i32.or
          (i32.or (i32.eq (local.get $c) (i32.const 0x22))
            (i32.eq (local.get $c) (i32.const 0x5c)))
          (i32.or (i32.eq (local.get $c) (i32.const 0x2f))
            (i32.eq (local.get $c) (i32.const 0x62))))
        (i32.or
          (i32.or (i32.eq (local.get $c) (i32.const 0x66))
            (i32.eq (local.get $c) (i32.const 0x6e)))
          (i32.or (i32.eq (local.get $c) (i32.const 0x72))
            (i32.eq (local.get $c) (i32.const 0x74)))))))

  ;; The url of an accepted line, whose content starts at $p (it is neither empty nor starts with
  ;; a space or an escape): reads it up to its closing '"', writes its record at $record and
  ;; returns the address after the '"', or 0 if it is not a valid string. A record is eight i32
  ;; (fast-path.ts reads them; 3, 6 and 7 hold nothing of use):
  ;;   0, 1   start and end: the addresses of the url's raw content (between its quotes)
  ;;   2      flags: 1 it holds an escape (the JavaScript side then decodes it and works out all
  ;;          its facts from the decoded url: the hash and flags 2 and 4 here are not
  ;;          meaningful); 2 a web url (see url-facts.ts); 4 it holds a '?'
  ;;   4, 5   the low and high words of the 64-bit hash of the content (url-facts.ts computes
  ;;          the same in JavaScript). $url leaves acc (below) in 4-7, and $mixHashes, at the
  ;;          end of the run, turns it into the hash.
  ;;
  ;; The hash takes the content in 16-byte blocks (the last one the 0-15 bytes left, then
  ;; zeros) as two little-endian 64-bit lanes d, and adds up, in two 64-bit lanes acc (from the
  ;; constants below), for block i (from 0):
  ;;   x = d ^ (KEY + i * STEP)                    a key per block: blocks do not commute
  ;;   acc += lo32(x) * hi32(x) + d, its lanes swapped
  ;; as XXH3 does. Urls that differ in one lane of one block differ in the other lane of acc by
  ;; that difference; others collide with odds near 2^-64: acc has 64 bits per lane, where
  ;; 32-bit lanes would give 2^-32 to urls that differ in one lane. Then the four 32-bit words
  ;; of acc, each ^ the length, are mixed as MurmurHash3 x86_128 ends: h1 = h1 + h2 + h3 + h4,
  ;; h2..h4 += h1, fmix32 of each, h1 = h1 + h2 + h3 + h4, h2 += h1; the hash is h1 (low) and h2.
  ;; One multiply per 8 bytes and no chain of them: less than half the time of four lanes of
  ;; MurmurHash3's steps (two multiplies in a chain per 4 bytes).
  (func $url (param $p i32) (param $record i32) (result i32)
    (local $start i32)
    (local $c i32)
    (local $bytes v128)
    (local $ends i32)      ;; a bit for each byte of the block that is '"', '\' or a control
    (local $t i32)         ;; index of the first such byte
    (local $flags i32)
    (local $spaces v128)   ;; the blocks' bytes that are ' ', or-ed together
    (local $queries v128)  ;; and those that are '?'
    (local $x v128)
    (local $acc v128)
    (local $key v128)
    (local $host i32)      ;; web check: where the host starts, after the last '@'
    (local $q i32)         ;; the authority's read position, then its end
    (local $stops i32)     ;; a bit for each byte of the block that ends the authority
    (local $ats i32)       ;; and for each '@'

    (local.set $start (local.get $p))
    (local.set $acc (v128.const i64x2 0x9e3779b97f4a7c15 0xbf58476d1ce4e5b9))
    (local.set $key (v128.const i64x2 0x243f6a8885a308d3 0x13198a2e03707344)) ;; KEY
    (loop $block
      (local.set $bytes (v128.load align=1 (local.get $p)))
      (local.set $ends
        (i8x16.bitmask
          (v128.or
            (v128.or
              (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x22)))
              (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x5c))))
            (i8x16.lt_u (local.get $bytes) (i8x16.splat (i32.const 0x20))))))
      (if (local.get $ends)
        (then
          (local.set $t (i32.ctz (local.get $ends)))
          (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $t))))
          (if (i32.eq (local.get $c) (i32.const 0x5c))
            (then
              (local.set $flags (i32.const 1))
              (local.set $p
                (call $escape (i32.add (i32.add (local.get $p) (local.get $t)) (i32.const 1))))
              (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
              (br $block)))
          (if (i32.ne (local.get $c) (i32.const 0x22)) (then (return (i32.const 0))))
          ;; The last block: its bytes from the '"' on count as zeros.
          (local.set $bytes
            (v128.and (local.get $bytes)
              (i8x16.lt_u
                (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
                (i8x16.splat (local.get $t)))))))
      (local.set $spaces
        (v128.or (local.get $spaces)
          (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x20)))))
      (local.set $queries
        (v128.or (local.get $queries)
          (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x3f)))))
      ;; lo32(x) * hi32(x) per lane: the low words of x times its high words.
      (local.set $x (v128.xor (local.get $bytes) (local.get $key)))
      (local.set $acc
        (i64x2.add
          (i64x2.add (local.get $acc)
            (i64x2.extmul_low_i32x4_u
              (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $x) (local.get $x))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 4 5 6 7 12 13 14 15
                (local.get $x) (local.get $x))))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
            (local.get $bytes) (local.get $bytes))))
      (local.set $key ;; + STEP
        (i64x2.add (local.get $key) (v128.const i64x2 0x9e3779b97f4a7c15 0xd1b54a32d192ed03)))
      (if (i32.eqz (local.get $ends))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $block))))
    (local.set $p (i32.add (local.get $p) (local.get $t))) ;; the closing '"'

    ;; A web url: "http://" or "https://" (letters in either case), then an authority up to the
    ;; first '/', '?' or '#' or the end, whose host (after the last '@', less a ':port' of digits
    ;; only) is not empty; and no space anywhere (nor a control character: a string holds none
    ;; raw). The 8-byte compare can read past a short url: it then fails on its closing '"'.
    (if (i32.eqz (v128.any_true (local.get $spaces)))
      (then
        (local.set $host
          (select
            (i32.add (local.get $start) (i32.const 7))
            (select
              (i32.add (local.get $start) (i32.const 8))
              (i32.const 0)
              (i64.eq
                (i64.or (i64.load align=1 (local.get $start)) (i64.const 0x2020202020))
                (i64.const 0x2f2f3a7370747468)))
            (i64.eq
              (i64.and
                (i64.or (i64.load align=1 (local.get $start)) (i64.const 0x20202020))
                (i64.const 0x00ffffffffffffff))
              (i64.const 0x002f2f3a70747468))))
        (if (local.get $host)
          (then
            ;; 16 bytes at a time up to the first '/', '?', '#' or '"', noting the last '@'.
            (local.set $q (local.get $host))
            (loop $authority
              (local.set $bytes (v128.load align=1 (local.get $q)))
              (local.set $stops
                (i8x16.bitmask
                  (v128.or
                    (v128.or
                      (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x2f)))
                      (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x3f))))
                    (v128.or
                      (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x23)))
                      (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x22)))))))
              ;; The '@'s before the first stop.
              (local.set $ats
                (i32.and
                  (i8x16.bitmask (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x40))))
                  (i32.sub (i32.and (local.get $stops) (i32.sub (i32.const 0) (local.get $stops)))
                    (i32.const 1))))
              (if (local.get $ats)
                (then
                  (local.set $host
                    (i32.sub (i32.add (local.get $q) (i32.const 32)) (i32.clz (local.get $ats))))))
              (if (i32.eqz (local.get $stops))
                (then
                  (local.set $q (i32.add (local.get $q) (i32.const 16)))
                  (br $authority))))
            (local.set $q (i32.add (local.get $q) (i32.ctz (local.get $stops)))) ;; its end
            ;; Not empty, and not ':' and digits only.
            (if (i32.lt_u (local.get $host) (local.get $q))
              (then
                (local.set $t (local.get $host))
                (if (i32.eq (i32.load8_u (local.get $host)) (i32.const 0x3a))
                  (then
                    (loop $port
                      (local.set $t (i32.add (local.get $t) (i32.const 1)))
                      (br_if $port
                        (i32.and (i32.lt_u (local.get $t) (local.get $q))
                          (i32.lt_u (i32.sub (i32.load8_u (local.get $t)) (i32.const 0x30))
                            (i32.const 10)))))))
                (if (i32.lt_u (local.get $t) (local.get $q))
                  (then (local.set $flags (i32.or (local.get $flags) (i32.const 2)))))))))))
    (if (v128.any_true (local.get $queries))
      (then (local.set $flags (i32.or (local.get $flags) (i32.const 4)))))

    (i32.store offset=0 (local.get $record) (local.get $start))
    (i32.store offset=4 (local.get $record) (local.get $p))
    (i32.store offset=8 (local.get $record) (local.get $flags))
    (v128.store offset=16 (local.get $record) (local.get $acc))
    (i32.add (local.get $p) (i32.const 1)))

    ;; Ends the hashes of the records in [$record, $end), from the acc $url leaves in them. Done
  ;; for all the lines of a run at its end rather than line by line: the mix is a long chain of
  ;; dependent steps, which the CPU overlaps for one url after another (the check of the
  ;; bench's plain lines a tenth faster).
  (func $mixHashes (param $record i32) (param $end i32)
    (local $acc v128)
    (local $h1 i32)
    (local $h2 i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $record) (local.get $end)))
        (local.set $acc
          (v128.xor (v128.load offset=16 (local.get $record))
            (i32x4.splat
              (i32.sub (i32.load offset=4 (local.get $record)) (i32.load (local.get $record))))))
        (local.set $h1
          (i32.add
            (i32.add
              (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add
              (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $acc
          (i32x4.add (local.get $acc)
            (i32x4.replace_lane 0 (i32x4.splat (local.get $h1))
              (i32.sub (local.get $h1) (i32x4.extract_lane 0 (local.get $acc))))))
        (local.set $acc (v128.xor (local.get $acc) (i32x4.shr_u (local.get $acc) (i32.const 16))))
        (local.set $acc (i32x4.mul (local.get $acc) (i32x4.splat (i32.const 0x85ebca6b))))
        (local.set $acc (v128.xor (local.get $acc) (i32x4.shr_u (local.get $acc) (i32.const 13))))
        (local.set $acc (i32x4.mul (local.get $acc) (i32x4.splat (i32.const 0xc2b2ae35))))
        (local.set $acc (v128.xor (local.get $acc) (i32x4.shr_u (local.get $acc) (i32.const 16))))
        (local.set $h2 (i32x4.extract_lane 1 (local.get $acc)))
        (local.set $h1
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (local.get $h2))
            (i32.add
              (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (i32.store offset=16 (local.get $record) (local.get $h1))
        (i32.store offset=20 (local.get $record) (i32.add (local.get $h2) (local.get $h1)))
        (local.set $record (i32.add (local.get $record) (i32.const 32)))
        (br $next))))

  ;; Reads the lines in memory [$from, $to), which end with a '\n', while it accepts them, and
  ;; returns the address after the last one accepted; their records are at $recordsAt, in order.
  ;;
  ;; No read needs a bounds check: every scan stops at a byte it does not take, at the latest the
  ;; '\n' ending the data, and every multi-byte compare fails on a '\n'. The 4- and 16-byte loads
  ;; may read up to 16 bytes past that '\n': the memory has slack after the data for them.
  (func (export "fastLines") (param $from i32) (param $to i32) (result i32)
    (local $p i32)        ;; the read position
    (local $line i32)     ;; start of the line being read
    (local $count i32)    ;; lines accepted
    (local $c i32)        ;; the byte last read
    (local $depth i32)    ;; containers open
    (local $inArray i32)  ;; the kind of the innermost one: 0 an object, 0x20 an array
    (local $member i32)   ;; the value to read is the top-level url's (1) or kind's (2), or 0
    (local $urlGood i32)  ;; the last url member so far: 1 a string neither empty nor blank,
                          ;; 2 one that might be blank, 0 any other value (or none yet)
    (local $kindGood i32) ;; no kind member so far, or the last is a string
    (local $bytes v128)   ;; 16 bytes of a string
    (local $ends i32)     ;; a bit for each of them that is '"', '\' or a control byte
    (local $record i32)   ;; where the record of the line being read goes

    (local.set $record (global.get $recordsAt))
    ;; The line's own object, at depth 1, never pushed.
    (i32.store8 offset=513 (i32.const 0) (i32.const 0))
    (local.set $p (local.get $from))
    (block $refuse
      (block $allRead
        (loop $nextLine
          (br_if $allRead (i32.ge_u (local.get $p) (local.get $to)))
          (local.set $line (local.get $p))
          (local.set $urlGood (i32.const 0))
          (local.set $kindGood (i32.const 1))

          ;; Each skip of whitespace reads the whitespace before a token and the token's first
          ;; byte, leaving that byte in $c and $p after it: a look-up in SPACE, and a loop only
          ;; where there is whitespace.
          (local.set $c (i32.load8_u (local.get $p)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (if (i32.load8_u offset=0 (local.get $c)) ;; SPACE
            (then
              (loop $spaceBeforeObject
                (local.set $c (i32.load8_u (local.get $p)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br_if $spaceBeforeObject (i32.load8_u offset=0 (local.get $c))))))
          (br_if $refuse (i32.ne (local.get $c) (i32.const 0x7b))) ;; '{'
          (local.set $depth (i32.const 1))
          (local.set $inArray (i32.const 0))
          ;; An empty object has no url: refused, so left to the general machine.
          (local.set $c (i32.load8_u (local.get $p)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (if (i32.load8_u offset=0 (local.get $c)) ;; SPACE
            (then
              (loop $spaceBeforeFirstKey
                (local.set $c (i32.load8_u (local.get $p)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br_if $spaceBeforeFirstKey (i32.load8_u offset=0 (local.get $c))))))
          (br_if $refuse (i32.ne (local.get $c) (i32.const 0x22))) ;; '"'

          ;; A member of an object, from after its key's opening '"'.
          (loop $member
            ;; The key. At the top level, if its next four bytes are `url"` (little-endian), it is
            ;; exactly "url"; `kind` and a '"', "kind". Other keys, short as a rule, are read byte
            ;; by byte: the CPU predicts that loop's branches, where the next read would wait for
            ;; the result of a 16-byte compare.
            (block $keyRead
              (if (i32.eq (local.get $depth) (i32.const 1))
                (then
                  (if (i32.eq (i32.load align=1 (local.get $p)) (i32.const 0x226c7275))
                    (then
                      (local.set $member (i32.const 1))
                      (local.set $p (i32.add (local.get $p) (i32.const 4)))
                      (br $keyRead)))
                  (if (i32.and
                        (i32.eq (i32.load align=1 (local.get $p)) (i32.const 0x646e696b))
                        (i32.eq (i32.load8_u offset=4 (local.get $p)) (i32.const 0x22)))
                    (then
                      (local.set $member (i32.const 2))
                      (local.set $p (i32.add (local.get $p) (i32.const 5)))
                      (br $keyRead)))))
              (loop $keyContent
                (local.set $c (i32.load8_u (local.get $p)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br_if $keyContent (i32.load8_u offset=256 (local.get $c))) ;; PLAIN
                (br_if $keyRead (i32.eq (local.get $c) (i32.const 0x22)))
                ;; An escape in a top-level key might spell "url" or "kind": left to the general
                ;; machine, which decodes keys.
                (br_if $refuse
                  (i32.or (i32.ne (local.get $c) (i32.const 0x5c))
                    (i32.eq (local.get $depth) (i32.const 1))))
                (local.set $p (call $escape (local.get $p)))
                (br_if $refuse (i32.eqz (local.get $p)))
                (br $keyContent)))

            (local.set $c (i32.load8_u (local.get $p)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (if (i32.load8_u offset=0 (local.get $c)) ;; SPACE
              (then
                (loop $spaceBeforeColon
                  (local.set $c (i32.load8_u (local.get $p)))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (br_if $spaceBeforeColon (i32.load8_u offset=0 (local.get $c))))))
            (br_if $refuse (i32.ne (local.get $c) (i32.const 0x3a))) ;; ':'

            (local.set $c (i32.load8_u (local.get $p)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (if (i32.load8_u offset=0 (local.get $c)) ;; SPACE
              (then
                (loop $spaceBeforeValue
                  (local.set $c (i32.load8_u (local.get $p)))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (br_if $spaceBeforeValue (i32.load8_u offset=0 (local.get $c))))))

            ;; A value, its first byte in $c and $p after it.
            (loop $value
              (block $valueRead
                (if (local.get $member)
                  (then
                    (if (i32.eq (local.get $c) (i32.const 0x22))
                      (then
                        (if (i32.eq (local.get $member) (i32.const 1))
                          (then
                            ;; A url whose first character is not a space or an escape is not
                            ;; blank: $url reads it and writes the line's record. An empty one
                            ;; is bad; another might be blank (2): the string is read below.
                            (local.set $member (i32.const 0))
                            (local.set $c (i32.load8_u (local.get $p)))
                            (if (i32.eqz
                                  (i32.or
                                    (i32.or (i32.eq (local.get $c) (i32.const 0x20))
                                      (i32.eq (local.get $c) (i32.const 0x5c)))
                                    (i32.eq (local.get $c) (i32.const 0x22))))
                              (then
                                (local.set $urlGood (i32.const 1))
                                (local.set $p (call $url (local.get $p) (local.get $record)))
                                (br_if $refuse (i32.eqz (local.get $p)))
                                (br $valueRead)))
                            (local.set $urlGood
                              (select (i32.const 0) (i32.const 2)
                                (i32.eq (local.get $c) (i32.const 0x22))))
                            (local.set $c (i32.const 0x22)))
                          (else
                            (local.set $kindGood (i32.const 1)))))
                      (else
                        ;; Not a string: the line is bad unless a later member of the same name
                        ;; decides.
                        (if (i32.eq (local.get $member) (i32.const 1))
                          (then (local.set $urlGood (i32.const 0)))
                          (else (local.set $kindGood (i32.const 0))))))
                    (local.set $member (i32.const 0))))

                (if (i32.eq (local.get $c) (i32.const 0x22)) ;; a string
                  (then
                    ;; 16 bytes at a time up to the first byte that ends a run of plain text.
                    (loop $stringContent
                      (local.set $bytes (v128.load align=1 (local.get $p)))
                      (local.set $ends
                        (i8x16.bitmask
                          (v128.or
                            (v128.or
                              (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x22)))
                              (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x5c))))
                            (i8x16.lt_u (local.get $bytes) (i8x16.splat (i32.const 0x20))))))
                      (if (i32.eqz (local.get $ends))
                        (then
                          (local.set $p (i32.add (local.get $p) (i32.const 16)))
                          (br $stringContent)))
                      (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $ends))))
                      (local.set $c (i32.load8_u (local.get $p)))
                      (local.set $p (i32.add (local.get $p) (i32.const 1)))
                      (br_if $valueRead (i32.eq (local.get $c) (i32.const 0x22)))
                      (br_if $refuse (i32.ne (local.get $c) (i32.const 0x5c)))
                      (local.set $p (call $escape (local.get $p)))
                      (br_if $refuse (i32.eqz (local.get $p)))
                      (br $stringContent))))

                ;; A number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?. What follows it
                ;; is judged as what follows any value, so "01" and "1x" are refused there.
                (if (i32.or (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10))
                      (i32.eq (local.get $c) (i32.const 0x2d)))
                  (then
                    (if (i32.eq (local.get $c) (i32.const 0x2d))
                      (then
                        (local.set $c (i32.load8_u (local.get $p)))
                        (local.set $p (i32.add (local.get $p) (i32.const 1)))
                        (br_if $refuse
                          (i32.ge_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10)))))
                    ;; From here $p is at the next byte to read, and $c that byte once read.
                    (if (i32.ne (local.get $c) (i32.const 0x30))
                      (then
                        (loop $integer
                          (local.set $c (i32.load8_u (local.get $p)))
                          (if (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10))
                            (then
                              (local.set $p (i32.add (local.get $p) (i32.const 1)))
                              (br $integer))))))
                    (local.set $c (i32.load8_u (local.get $p)))
                    (if (i32.eq (local.get $c) (i32.const 0x2e)) ;; '.'
                      (then
                        (local.set $p (i32.add (local.get $p) (i32.const 1)))
                        (br_if $refuse
                          (i32.ge_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 0x30))
                            (i32.const 10)))
                        (loop $fraction
                          (local.set $p (i32.add (local.get $p) (i32.const 1)))
                          (local.set $c (i32.load8_u (local.get $p)))
                          (br_if $fraction
                            (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10))))))
                    (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x65)) ;; e E
                      (then
                        (local.set $p (i32.add (local.get $p) (i32.const 1)))
                        (local.set $c (i32.load8_u (local.get $p)))
                        (if (i32.or (i32.eq (local.get $c) (i32.const 0x2b))
                              (i32.eq (local.get $c) (i32.const 0x2d)))
                          (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
                        (br_if $refuse
                          (i32.ge_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 0x30))
                            (i32.const 10)))
                        (loop $exponent
                          (local.set $p (i32.add (local.get $p) (i32.const 1)))
                          (br_if $exponent
                            (i32.lt_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 0x30))
                              (i32.const 10))))))
                    (br $valueRead)))

                (if (i32.eq (local.get $c) (i32.const 0x7b)) ;; '{'
                  (then
                    (br_if $refuse (i32.eq (local.get $depth) (i32.const 1000)))
                    (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
                    (local.set $inArray (i32.const 0))
                    (i32.store8 offset=512 (local.get $depth) (i32.const 0))
                    (local.set $c (i32.load8_u (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (if (i32.load8_u offset=0 (local.get $c)) ;; SPACE
                      (then
                        (loop $spaceInObject
                          (local.set $c (i32.load8_u (local.get $p)))
                          (local.set $p (i32.add (local.get $p) (i32.const 1)))
                          (br_if $spaceInObject (i32.load8_u offset=0 (local.get $c))))))
                    (br_if $member (i32.eq (local.get $c) (i32.const 0x22)))
                    (br_if $refuse (i32.ne (local.get $c) (i32.const 0x7d)))
                    (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
                    (local.set $inArray (i32.load8_u offset=512 (local.get $depth)))
                    (br $valueRead)))

                (if (i32.eq (local.get $c) (i32.const 0x5b)) ;; '['
                  (then
                    (br_if $refuse (i32.eq (local.get $depth) (i32.const 1000)))
                    (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
                    (local.set $inArray (i32.const 0x20))
                    (i32.store8 offset=512 (local.get $depth) (i32.const 0x20))
                    (local.set $c (i32.load8_u (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (if (i32.load8_u offset=0 (local.get $c)) ;; SPACE
                      (then
                        (loop $spaceInArray
                          (local.set $c (i32.load8_u (local.get $p)))
                          (local.set $p (i32.add (local.get $p) (i32.const 1)))
                          (br_if $spaceInArray (i32.load8_u offset=0 (local.get $c))))))
                    (br_if $value (i32.ne (local.get $c) (i32.const 0x5d)))
                    (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
                    (local.set $inArray (i32.load8_u offset=512 (local.get $depth)))
                    (br $valueRead)))

                ;; true, null (from the byte read), false (from the next).
                (if (i32.or
                      (i32.and (i32.eq (local.get $c) (i32.const 0x74))
                        (i32.eq (i32.load align=1 (i32.sub (local.get $p) (i32.const 1)))
                          (i32.const 0x65757274)))
                      (i32.and (i32.eq (local.get $c) (i32.const 0x6e))
                        (i32.eq (i32.load align=1 (i32.sub (local.get $p) (i32.const 1)))
                          (i32.const 0x6c6c756e))))
                  (then
                    (local.set $p (i32.add (local.get $p) (i32.const 3)))
                    (br $valueRead)))
                (br_if $refuse
                  (i32.or (i32.ne (local.get $c) (i32.const 0x66))
                    (i32.ne (i32.load align=1 (local.get $p)) (i32.const 0x65736c61))))
                (local.set $p (i32.add (local.get $p) (i32.const 4))))

              ;; After a value: a ',' and the next member or element, or the closer of the
              ;; innermost container and what follows it, until the line's object closes.
              (loop $afterValue
                (local.set $c (i32.load8_u (local.get $p)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (if (i32.load8_u offset=0 (local.get $c)) ;; SPACE
                  (then
                    (loop $spaceAfterValue
                      (local.set $c (i32.load8_u (local.get $p)))
                      (local.set $p (i32.add (local.get $p) (i32.const 1)))
                      (br_if $spaceAfterValue (i32.load8_u offset=0 (local.get $c))))))
                (if (i32.eq (local.get $c) (i32.const 0x2c)) ;; ','
                  (then
                    (local.set $c (i32.load8_u (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (if (i32.load8_u offset=0 (local.get $c)) ;; SPACE
                      (then
                        (loop $spaceAfterComma
                          (local.set $c (i32.load8_u (local.get $p)))
                          (local.set $p (i32.add (local.get $p) (i32.const 1)))
                          (br_if $spaceAfterComma (i32.load8_u offset=0 (local.get $c))))))
                    (br_if $value (local.get $inArray))
                    (br_if $member (i32.eq (local.get $c) (i32.const 0x22)))
                    (br $refuse)))
                (br_if $refuse
                  (i32.ne (local.get $c) (i32.xor (local.get $inArray) (i32.const 0x7d))))
                (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
                (local.set $inArray (i32.load8_u offset=512 (local.get $depth)))
                (br_if $afterValue (local.get $depth)))))

          ;; The line's object is closed.
          (local.set $c (i32.load8_u (local.get $p)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (if (i32.load8_u offset=0 (local.get $c)) ;; SPACE
            (then
              (loop $spaceBeforeEnd
                (local.set $c (i32.load8_u (local.get $p)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br_if $spaceBeforeEnd (i32.load8_u offset=0 (local.get $c))))))
          (br_if $refuse (i32.ne (local.get $c) (i32.const 0x0a))) ;; '\n'
          ;; A url that might be blank is left to the general machine.
          (br_if $refuse (i32.eqz (i32.and (local.get $urlGood) (local.get $kindGood))))

          (local.set $count (i32.add (local.get $count) (i32.const 1)))
          (local.set $record (i32.add (local.get $record) (i32.const 32)))
          (br $nextLine)))
      (local.set $line (local.get $p)))
    (global.set $accepted (local.get $count))
    (call $mixHashes (global.get $recordsAt) (local.get $record))
    (local.get $line))
)
