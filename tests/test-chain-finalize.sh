#!/bin/sh
# thrift/chain-finalize.awk, which patches the c_glib code Thrift generates
# from the IDL (its finalize functions forget to chain up):
# - on freshly generated code it patches every finalize function, one per
#   struct and union of the IDL, and says nothing;
# - on code that already chains up (its own output, or a fixed Thrift) it
#   changes nothing;
# - when the count differs from the IDL's (a generator that names or shapes
#   its functions otherwise) it fails, saying what it found.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

: "${THRIFT:=thrift}"
if ! command -v "$THRIFT" >/dev/null 2>&1; then
	printf '%s: ERROR: the thrift compiler was not found: %s\n' "$test_name" "$THRIFT"
	exit 99
fi
idl=$top_srcdir/thrift/thermos_internal.thrift
awkf=$top_srcdir/thrift/chain-finalize.awk
n=$(grep -c -E '^(struct|union) ' "$idl")
"$THRIFT" --gen c_glib -out "$tmp" "$idl" || exit 99
gen=$tmp/thermos_thermos_internal_types.c
chain='G_OBJECT_CLASS (g_type_class_peek (THRIFT_TYPE_STRUCT))->finalize (object);'

# chain_awk EXPECTED INPUT: the script's output in $out, stderr in $err.
chain_awk() {
	what="chain-finalize.awk expected=$1 $(basename "$2")"
	newfile
	out=$nf.out
	err=$nf.err
	awk -v expected="$1" -f "$awkf" "$2" >"$out" 2>"$err"
	rc=$?
}

chain_awk "$n" "$gen"
check_rc 0
check_stderr_empty
patched=$out
what="every finalize chains up once"
if [ "$(grep -c -F -e "$chain" "$patched")" = "$n" ]; then ok; else
	fail "want $n lines '$chain', got $(grep -c -F -e "$chain" "$patched")"
fi

chain_awk "$n" "$patched"
check_rc 0
check_stderr_empty
what="already chaining up: unchanged"
if cmp -s "$patched" "$out"; then ok; else fail "the output differs from the input"; fi

chain_awk "$((n + 1))" "$gen"
check_rc 1
check_stderr "chain-finalize: $n finalize functions found, $((n + 1)) expected ($n patched, 0 already chaining up)"

chain_awk "" "$gen"
check_rc 1
check_stderr "chain-finalize: $n finalize functions found, none expected ($n patched, 0 already chaining up)"

finish
