# The bundled observer plugin.  (Until the plugin itself lands, only the
# pages' embedded assets.)
include plugins/observer/assets.mk
