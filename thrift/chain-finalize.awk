# Makes every generated *_finalize function chain up to its parent class
# (ThriftStruct), which Thrift's c_glib generator forgets: without it each
# object leaks its GObject part.  A function that already chains up (a
# later Thrift) is left as it is.  Run with -v expected=N, the number of
# structs and unions in the IDL: unless exactly N finalize functions are
# seen, the generated code is not what this script knows, and it fails
# rather than leave a leak or a double finalize behind.
/^[a-z_]+_finalize \(GObject \*object\)$/ {
  in_finalize = 1
  chained = 0
  seen++
}
in_finalize && /->finalize \(object\);/ { chained = 1 }
in_finalize && /^}$/ {
  if (chained) {
    skipped++
  } else {
    print "  G_OBJECT_CLASS (g_type_class_peek (THRIFT_TYPE_STRUCT))->finalize (object);"
    patched++
  }
  in_finalize = 0
}
{ print }
END {
  if (expected == "" || seen + 0 != expected + 0) {
    printf "chain-finalize: %d finalize functions found, %s expected (%d patched, %d already chaining up)\n", \
      seen, (expected == "" ? "none" : expected), patched, skipped > "/dev/stderr"
    exit 1
  }
}
