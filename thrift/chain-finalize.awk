# Makes every generated *_finalize function chain up to its parent class
# (ThriftStruct), which Thrift's c_glib generator forgets: without it each
# object leaks its GObject part.
/^[a-z_]+_finalize \(GObject \*object\)$/ { in_finalize = 1 }
in_finalize && /^}$/ {
  print "  G_OBJECT_CLASS (g_type_class_peek (THRIFT_TYPE_STRUCT))->finalize (object);"
  in_finalize = 0
}
{ print }
