// Runs one SQL statement in an in-memory DuckDB and prints its rows as a JSON array on stdout.
// Used by the tests to read our Parquet files with an engine that is not ours:
//   node query.mjs "SELECT count(*) AS n FROM 'events.parquet'"
// Integers come back as JSON numbers when they are safe in a double, else as strings;
// BLOBs (Parquet key-value metadata) as UTF-8 strings; nested lists and structs as JSON.
import { DuckDBInstance } from '@duckdb/node-api';

const sql = process.argv[2];
if (!sql) {
  console.error('usage: node query.mjs "SQL"');
  process.exit(2);
}

function plain(v) {
  if (typeof v === 'bigint') return (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
try {
  const reader = await connection.runAndReadAll(sql);
  const rows = reader.getRowObjectsJS().map(plain);
  process.stdout.write(JSON.stringify(rows));
} catch (e) {
  console.error(String(e?.message ?? e));
  process.exit(1);
} finally {
  connection.closeSync();
}
