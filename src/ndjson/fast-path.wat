;; The NDJSON checker's fast path. scripts/build-wasm.mjs compiles this file with wabt into
;; fast-path.wasm.ts (npm run build:wasm); fast-path.ts loads it.
;;
;; fastLines reads a run of "plain" lines and stops at the first line that is not plain, which the
;; general machine in check.ts then reads and judges. A plain line is, byte for byte:
;;
;;   line   = space* "{" space* member (space* "," space* member)* space* "}" space* "\n"
;;   member = string space* ":" space* string
;;   string = '"' (any byte but '"', '\' and 0x00-0x1F)* '"'
;;   space  = " " | "\t" | "\r"
;;
;; where one key is exactly "url", and no "url" member has a value that is empty or starts with a
;; space. Bytes from 0x80 up are taken as they come: the checker hands over no line with ill-formed
;; UTF-8.
;;
;; Invariant: the full checker accepts every line this accepts, and counts it as one item. So the
;; general machine stays the one grammar of a line: numbers, true, false, null, nested values,
;; escapes, an empty object, an empty, blank or missing url, any other whitespace all go to it. A
;; url that starts with a space may be only spaces, which the checker refuses as blank: that is
;; left to it too (no real url starts so), which keeps the test here to one byte. This only
;; recognises the commonest lines sooner, with 16-byte SIMD compares over the values.
;;
;; The small loops are written out where they are used rather than called: Node 20's V8 does not
;; inline WebAssembly calls, and a call per token cost a quarter of the speed.
(module
  ;; The checker copies the data in and says where: this module keeps nothing of its own there.
  (import "env" "memory" (memory 1))

  ;; How many lines the last call of fastLines accepted.
  (global $accepted (export "accepted") (mut i32) (i32.const 0))

  ;; Reads the lines in memory [$from, $to), which end with a '\n', while they are plain, and
  ;; returns the address after the last one accepted.
  ;;
  ;; No read needs a bounds check: every scan stops at a byte it does not take, at the latest the
  ;; '\n' ending the data. The 4- and 16-byte loads may read up to 15 bytes past that '\n': the
  ;; memory has slack after the data for them.
  (func (export "fastLines") (param $from i32) (param $to i32) (result i32)
    (local $p i32)      ;; the read position
    (local $line i32)   ;; start of the line being read
    (local $count i32)  ;; lines accepted
    (local $c i32)      ;; the byte last read
    (local $isUrl i32)  ;; the member being read has the key "url"
    (local $hasUrl i32) ;; the line has a "url" member
    (local $value i32)  ;; start of the content of the value being read
    (local $bytes v128) ;; 16 bytes of that content
    (local $ends i32)   ;; a bit for each of them that is '"', '\' or a control byte

    (local.set $p (local.get $from))
    (block $refuse
      (block $allRead
        (loop $nextLine
          (br_if $allRead (i32.ge_u (local.get $p) (local.get $to)))
          (local.set $line (local.get $p))
          (local.set $hasUrl (i32.const 0))

          ;; Each $space… loop reads the whitespace before a token and the token's first byte,
          ;; leaving that byte in $c and $p after it.
          (loop $spaceBeforeObject
            (local.set $c (i32.load8_u (local.get $p)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $spaceBeforeObject
              (i32.or (i32.eq (local.get $c) (i32.const 0x20))
                (i32.or (i32.eq (local.get $c) (i32.const 0x09))
                  (i32.eq (local.get $c) (i32.const 0x0d))))))
          (br_if $refuse (i32.ne (local.get $c) (i32.const 0x7b))) ;; '{'

          (loop $nextMember
            (loop $spaceBeforeKey
              (local.set $c (i32.load8_u (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $spaceBeforeKey
                (i32.or (i32.eq (local.get $c) (i32.const 0x20))
                  (i32.or (i32.eq (local.get $c) (i32.const 0x09))
                    (i32.eq (local.get $c) (i32.const 0x0d))))))
            (br_if $refuse (i32.ne (local.get $c) (i32.const 0x22))) ;; '"'

            ;; The key. If its next four bytes are `url"` (little-endian), it is exactly "url": a
            ;; plain string has no other '"'. Other keys, short as a rule, are read byte by byte:
            ;; the CPU predicts that loop's branches, where the next read would wait for the
            ;; result of a 16-byte compare. Bytes above '\' (lower case letters, '_', non-ASCII),
            ;; most of a key, take one compare.
            (local.set $isUrl (i32.eq (i32.load align=1 (local.get $p)) (i32.const 0x226c7275)))
            (if (local.get $isUrl)
              (then
                (local.set $p (i32.add (local.get $p) (i32.const 4))))
              (else
                (loop $keyContent
                  (local.set $c (i32.load8_u (local.get $p)))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (br_if $keyContent (i32.gt_u (local.get $c) (i32.const 0x5c)))
                  (br_if $keyContent
                    (i32.and (i32.ge_u (local.get $c) (i32.const 0x20))
                      (i32.and (i32.ne (local.get $c) (i32.const 0x22))
                        (i32.ne (local.get $c) (i32.const 0x5c))))))
                (br_if $refuse (i32.ne (local.get $c) (i32.const 0x22)))))

            (loop $spaceBeforeColon
              (local.set $c (i32.load8_u (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $spaceBeforeColon
                (i32.or (i32.eq (local.get $c) (i32.const 0x20))
                  (i32.or (i32.eq (local.get $c) (i32.const 0x09))
                    (i32.eq (local.get $c) (i32.const 0x0d))))))
            (br_if $refuse (i32.ne (local.get $c) (i32.const 0x3a))) ;; ':'

            (loop $spaceBeforeValue
              (local.set $c (i32.load8_u (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $spaceBeforeValue
                (i32.or (i32.eq (local.get $c) (i32.const 0x20))
                  (i32.or (i32.eq (local.get $c) (i32.const 0x09))
                    (i32.eq (local.get $c) (i32.const 0x0d))))))
            (br_if $refuse (i32.ne (local.get $c) (i32.const 0x22))) ;; '"'

            ;; The value, 16 bytes at a time up to the first byte that ends a plain run.
            (local.set $value (local.get $p))
            (loop $valueContent
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
                  (br $valueContent))))
            (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $ends))))
            (br_if $refuse (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22)))
            (if (local.get $isUrl)
              (then
                ;; Empty (its first byte is the closing '"') or starting with a space.
                (local.set $c (i32.load8_u (local.get $value)))
                (br_if $refuse
                  (i32.or (i32.eq (local.get $c) (i32.const 0x22))
                    (i32.eq (local.get $c) (i32.const 0x20))))
                (local.set $hasUrl (i32.const 1))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))

            (loop $spaceAfterValue
              (local.set $c (i32.load8_u (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $spaceAfterValue
                (i32.or (i32.eq (local.get $c) (i32.const 0x20))
                  (i32.or (i32.eq (local.get $c) (i32.const 0x09))
                    (i32.eq (local.get $c) (i32.const 0x0d))))))
            (br_if $nextMember (i32.eq (local.get $c) (i32.const 0x2c)))) ;; ','
          (br_if $refuse (i32.ne (local.get $c) (i32.const 0x7d))) ;; '}'
          (br_if $refuse (i32.eqz (local.get $hasUrl)))

          (loop $spaceBeforeEnd
            (local.set $c (i32.load8_u (local.get $p)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $spaceBeforeEnd
              (i32.or (i32.eq (local.get $c) (i32.const 0x20))
                (i32.or (i32.eq (local.get $c) (i32.const 0x09))
                  (i32.eq (local.get $c) (i32.const 0x0d))))))
          (br_if $refuse (i32.ne (local.get $c) (i32.const 0x0a))) ;; '\n'

          (local.set $count (i32.add (local.get $count) (i32.const 1)))
          (br $nextLine)))
      (local.set $line (local.get $p)))
    (global.set $accepted (local.get $count))
    (local.get $line))
)
