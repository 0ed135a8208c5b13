# Sourced by ./test.sh: the independent AEDAT 4.0 cross-check (tools/aedat4-check) runs under
# Debian's Python with the reference FlatBuffers, LZ4 and zstd bindings.
if ! /usr/bin/python3 -c "import flatbuffers, lz4.frame, zstandard" >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "setup: installing python3-flatbuffers python3-lz4 python3-zstandard (independent AEDAT 4.0 check)..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-flatbuffers python3-lz4 python3-zstandard) >&2 \
      || echo "setup: could not install the Python cross-check packages; that test will fail" >&2
  else
    echo "The cross-check test needs: sudo apt-get install -y python3-flatbuffers python3-lz4 python3-zstandard" >&2
  fi
fi
# The independent HDF5 check (tools/hdf5-check) runs under Debian's Python with h5py (the HDF Group's libhdf5).
if ! /usr/bin/python3 -c "import h5py" >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "setup: installing python3-h5py (independent HDF5 check)..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-h5py) >&2 \
      || echo "setup: could not install python3-h5py; the HDF5 cross-check test will fail" >&2
  else
    echo "The HDF5 cross-check test needs: sudo apt-get install -y python3-h5py" >&2
  fi
fi
# The HTML report test opens the report in headless Chromium.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "setup: installing chromium (HTML report test)..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) >&2 \
      || echo "setup: could not install chromium; the HTML report test will fail" >&2
  else
    echo "The HTML report test needs: sudo apt-get install -y chromium" >&2
  fi
fi
# The Parquet tests read our files back with DuckDB (npm package @duckdb/node-api, pinned in tools/duckdb-check).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "setup: installing nodejs npm (DuckDB cross-check of our Parquet files)..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm) >&2 \
      || echo "setup: could not install nodejs/npm; the DuckDB Parquet tests will be skipped" >&2
  else
    echo "The DuckDB Parquet tests need: sudo apt-get install -y nodejs npm" >&2
  fi
fi
if command -v npm >/dev/null 2>&1 && [ ! -d "$here/tools/duckdb-check/node_modules/@duckdb/node-api" ]; then
  echo "setup: npm ci in tools/duckdb-check (DuckDB for the Parquet tests)..." >&2
  (cd "$here/tools/duckdb-check" && npm ci --no-audit --no-fund) >&2 || echo "setup: npm ci failed; the tests will try again" >&2
fi
