// Compares the frames.parquet VALUES of two runs, column by column, except the timing columns
// (seconds_*, latency_s, backlog_frames), which differ from run to run. Exit 0 when identical,
// 1 when a value differs (each difference printed), 2 on unusable arguments.
using System.Text.Json;
using Parquet;
using Parquet.Serialization;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: CompareRuns A/frames.parquet B/frames.parquet");
    return 2;
}
var a = await ReadAsync(args[0]);
var b = await ReadAsync(args[1]);
int differences = 0;
foreach (var name in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
{
    if (IsTiming(name)) continue;
    if (!a.TryGetValue(name, out var ca) || !b.TryGetValue(name, out var cb))
    {
        Console.WriteLine($"column {name}: only in {(a.ContainsKey(name) ? "A" : "B")}");
        differences++;
        continue;
    }
    if (ca.Length != cb.Length)
    {
        Console.WriteLine($"column {name}: {ca.Length} rows vs {cb.Length}");
        differences++;
        continue;
    }
    for (int i = 0; i < ca.Length; i++)
    {
        if (Equals(ca.GetValue(i), cb.GetValue(i))) continue;
        Console.WriteLine($"column {name} row {i}: {ca.GetValue(i) ?? "null"} vs {cb.GetValue(i) ?? "null"}");
        differences++;
    }
}
return differences == 0 ? 0 : 1;

static bool IsTiming(string column) => column.StartsWith("seconds_", StringComparison.Ordinal) || column is "latency_s" or "backlog_frames";

static async Task<Dictionary<string, Array>> ReadAsync(string path)
{
    // Untyped rows keep every top-level column, nested ones (diagnostics: a list of records) included;
    // a value is compared by its JSON text so lists and records compare by content.
    await using var fs = File.OpenRead(path);
    var table = await ParquetSerializer.DeserializeUntypedAsync(fs);
    var columns = new Dictionary<string, Array>();
    foreach (var field in table.Schema.Fields)
        columns[field.Name] = table.Data.Select(row => row.TryGetValue(field.Name, out var v) ? Comparable(v) : null).ToArray();
    return columns;
}

static object? Comparable(object? v) => v switch
{
    null => null,
    string or double or long or int or bool => v,
    _ => JsonSerializer.Serialize(v),
};
