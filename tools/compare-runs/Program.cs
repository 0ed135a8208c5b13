// Compares the frames.parquet VALUES of two runs, column by column, except the timing columns
// (seconds_*, latency_s, backlog_frames), which differ from run to run. Exit 0 when identical,
// 1 when a value differs (each difference printed), 2 on unusable arguments.
using Parquet;

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
    var columns = new Dictionary<string, List<object?>>();
    await using var reader = await ParquetReader.CreateAsync(path);
    for (int g = 0; g < reader.RowGroupCount; g++)
    {
        using var rg = reader.OpenRowGroupReader(g);
        int n = (int)rg.RowCount;
        foreach (var f in reader.Schema.GetDataFields())
        {
            object?[] values;
            if (f.ClrType == typeof(double) && f.IsNullable) { var a = new double?[n]; await rg.ReadAsync<double>(f, a); values = a.Cast<object?>().ToArray(); }
            else if (f.ClrType == typeof(double)) { var a = new double[n]; await rg.ReadAsync<double>(f, a); values = a.Cast<object?>().ToArray(); }
            else if (f.ClrType == typeof(long) && f.IsNullable) { var a = new long?[n]; await rg.ReadAsync<long>(f, a); values = a.Cast<object?>().ToArray(); }
            else if (f.ClrType == typeof(long)) { var a = new long[n]; await rg.ReadAsync<long>(f, a); values = a.Cast<object?>().ToArray(); }
            else if (f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>)) { var a = new string[n]; await rg.ReadAsync(f, a); values = a.Cast<object?>().ToArray(); }
            else throw new NotSupportedException($"{path}: column {f.Name} has type {f.ClrType.Name}, which this comparison does not read");
            if (!columns.TryGetValue(f.Name, out var list)) columns[f.Name] = list = [];
            list.AddRange(values);
        }
    }
    return columns.ToDictionary(c => c.Key, c => (Array)c.Value.ToArray());
}
