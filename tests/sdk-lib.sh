# Sourced by the SDK tests (tests/test-sdk-*.sh) once test_name and
# hard_error are defined: their temporary directory ($tmp, removed on
# exit), the check counters and helpers, and `staged`.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-$test_name.XXXXXX") || hard_error "mktemp -d failed"
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failures=0
checks=0
fail() {
	failures=$((failures + 1))
	printf '%s: FAIL: %s\n' "$test_name" "$*"
}
ok() {
	checks=$((checks + 1))
}
# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	ok
	if [ "$2" != "$3" ]; then
		fail "$1"
		printf '  expected: %s\n  actual:   %s\n' "$2" "$3"
	fi
}
# staged PATH: PATH inside the staging tree $stage (pkgconf prefixes
# variables with the sysroot, pkg-config 0.29 does not).
staged() {
	case $1 in
	"$stage"/*) printf '%s\n' "$1" ;;
	*) printf '%s%s\n' "$stage" "$1" ;;
	esac
}
