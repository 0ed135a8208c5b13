using EventDeblur.Events;
using EventDeblur.IO;
using Parquet;
using Parquet.Schema;

namespace EventDeblur.Formats;

/// <summary>
/// The events table of every Parquet file of events we write (<c>convert</c>'s <c>NAME.parquet</c>, a live run's
/// <c>events/NNNNNN.parquet</c>): columns <c>t</c> int64 (µs), <c>x</c>, <c>y</c> int16 (event pixels), <c>p</c> bool
/// (true = ON), time-ordered, with the caller's <see cref="ParquetMetadata"/> in the footer. Written and read by this
/// one type, so what is written is what is read.
/// </summary>
public static class EventsParquet
{
    /// <summary>Value of <see cref="ParquetMetadata.TableKey"/> of an events file.</summary>
    public const string TableName = "events";

    private static readonly DataField<long> T = new("t");
    private static readonly DataField<short> X = new("x");
    private static readonly DataField<short> Y = new("y");
    private static readonly DataField<bool> P = new("p");

    /// <summary>The schema: t int64 µs, x int16, y int16, p bool.</summary>
    public static ParquetSchema Schema { get; } = new(T, X, Y, P);

    /// <summary>
    /// Starts an events file on <paramref name="stream"/> (the caller makes it atomic: a temporary file renamed when
    /// complete) with <paramref name="metadata"/> in its footer (the caller's keys; <see cref="ParquetMetadata.Base"/>
    /// with table <see cref="TableName"/> is added beneath them).
    /// </summary>
    public static async Task<Writer> CreateWriterAsync(Stream stream, IReadOnlyDictionary<string, string> metadata, CancellationToken ct = default)
    {
        var m = ParquetMetadata.Base(TableName);
        foreach (var (k, v) in metadata) m[k] = v;
        var pw = await ParquetWriter.CreateAsync(Schema, stream, cancellationToken: ct);
        pw.CustomMetadata = m;
        return new Writer(pw);
    }

    /// <summary>Writes row groups of events; disposing it finishes the file (footer).</summary>
    public sealed class Writer : IAsyncDisposable
    {
        private readonly ParquetWriter _pw;

        internal Writer(ParquetWriter pw) => _pw = pw;

        /// <summary>Events written so far.</summary>
        public long Rows { get; private set; }

        /// <summary>
        /// Writes one row group: timestamps <paramref name="t"/> (µs), columns <paramref name="x"/> and rows
        /// <paramref name="y"/> (event pixels), polarities <paramref name="p"/> (true = ON), all of one length.
        /// </summary>
        /// <exception cref="ArgumentException">The columns differ in length.</exception>
        public async Task WriteRowGroupAsync(ReadOnlyMemory<long> t, ReadOnlyMemory<short> x, ReadOnlyMemory<short> y, ReadOnlyMemory<bool> p, CancellationToken ct = default)
        {
            if (x.Length != t.Length || y.Length != t.Length || p.Length != t.Length)
                throw new ArgumentException($"events row group: columns of {t.Length}, {x.Length}, {y.Length} and {p.Length} rows; expected one length");
            using var rg = _pw.CreateRowGroup();
            await rg.WriteAsync(T, t, cancellationToken: ct);
            await rg.WriteAsync(X, x, cancellationToken: ct);
            await rg.WriteAsync(Y, y, cancellationToken: ct);
            await rg.WriteAsync(P, p, cancellationToken: ct);
            Rows += t.Length;
        }

        /// <summary>Writes the footer.</summary>
        public ValueTask DisposeAsync() => _pw.DisposeAsync();
    }

    /// <summary>Reads every event of an events file, and its footer metadata.</summary>
    /// <exception cref="IOException">The file is missing, not Parquet, or has no int64 <c>t</c>, int16 <c>x</c>/<c>y</c> and bool <c>p</c> columns; the message names the file.</exception>
    public static async Task<(EventSlice Events, IReadOnlyDictionary<string, string> Metadata)> ReadAsync(string path, CancellationToken ct = default)
    {
        try
        {
            await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using var reader = await ParquetReader.CreateAsync(fs, cancellationToken: ct);
            var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name);
            DataField Field(string name, Type type) =>
                fields.TryGetValue(name, out var f) && f.ClrType == type && !f.IsNullable ? f
                    : throw new IOException($"{path}: not an events table (expected a non-null {type.Name} column '{name}'; columns: {string.Join(", ", fields.Values.Select(v => $"{v.Name} {v.ClrType.Name}{(v.IsNullable ? "?" : "")}"))})");
            DataField tf = Field("t", typeof(long)), xf = Field("x", typeof(short)), yf = Field("y", typeof(short)), pf = Field("p", typeof(bool));
            long total = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                total += rg.RowCount;
            }
            if (total > Array.MaxLength) throw new IOException($"{path}: {total} events, more than one slice can hold");
            var slice = new EventSlice(new long[total], new short[total], new short[total], new bool[total]);
            int at = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int n = (int)rg.RowCount;
                await rg.ReadAsync<long>(tf, slice.T.AsMemory(at, n), cancellationToken: ct);
                await rg.ReadAsync<short>(xf, slice.X.AsMemory(at, n), cancellationToken: ct);
                await rg.ReadAsync<short>(yf, slice.Y.AsMemory(at, n), cancellationToken: ct);
                await rg.ReadAsync<bool>(pf, slice.P.AsMemory(at, n), cancellationToken: ct);
                at += n;
            }
            return (slice, reader.CustomMetadata);
        }
        catch (Exception e) when (e is not (IOException or OperationCanceledException or OutOfMemoryException))
        {
            throw new IOException($"{path}: not a readable events Parquet file ({e.Message})", e);
        }
    }
}
