{
  "targets": [
    {
      "target_name": "plenum_media",
      "sources": ["src/server/media/native/plenum_media.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
