using System.Security.Cryptography;

namespace EventDeblur.IO;

/// <summary>
/// SHA-256 of a whole file, taken from the bytes a sequential reader reads anyway: the reader's stream is wrapped
/// (<see cref="Wrap"/>), every byte read in file order is hashed as it passes, and <see cref="Finish"/> reads only
/// what the reader never reached (a table at the end, a tail after a fault, packets it stepped over). The result is
/// the file's hash whatever the reader did, without a second pass over what it read.
/// </summary>
/// <param name="path">The file; a reader that never wraps its stream (random access) leaves all of it to <see cref="Finish"/>.</param>
public sealed class FileHash(string path)
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly object _gate = new();
    private bool _wrapped;
    private long _hashedUpTo;
    private string? _result;

    /// <summary>Bytes hashed on the way, as the reader read them (the rest is read by <see cref="Finish"/>).</summary>
    public long BytesHashedInPassing { get { lock (_gate) return _hashedUpTo; } }

    /// <summary>The file hashed.</summary>
    public string Path { get; } = path;

    /// <summary>Wraps <paramref name="file"/> (<see cref="Path"/>, opened at its start) so that what is read through it is hashed; once per instance.</summary>
    /// <exception cref="InvalidOperationException">This instance already wraps a stream, or <paramref name="file"/> is another file.</exception>
    public Stream Wrap(FileStream file)
    {
        lock (_gate)
        {
            if (_wrapped) throw new InvalidOperationException("a FileHash follows one reader of one file");
            if (System.IO.Path.GetFullPath(file.Name) != System.IO.Path.GetFullPath(Path)) throw new InvalidOperationException($"this FileHash is for {Path}, not {file.Name}");
            _wrapped = true;
        }
        return new HashingStream(file, this);
    }

    /// <summary>
    /// The file's SHA-256 as lower-case hex: hashes the bytes from the first one not read in order to the end of the
    /// file (opening it again for those only). Call after the reader is done; later calls return the same value.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public string Finish()
    {
        lock (_gate)
        {
            if (_result != null) return _result;
            using (var fs = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            {
                fs.Position = _hashedUpTo;
                var buffer = new byte[1 << 16];
                int n;
                while ((n = fs.Read(buffer)) > 0) _sha.AppendData(buffer, 0, n);
            }
            _result = Convert.ToHexStringLower(_sha.GetHashAndReset());
            _sha.Dispose();
            return _result;
        }
    }

    private void Saw(long at, ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (_result != null || at > _hashedUpTo || at + bytes.Length <= _hashedUpTo) return;
            var fresh = bytes[(int)(_hashedUpTo - at)..];
            _sha.AppendData(fresh);
            _hashedUpTo += fresh.Length;
        }
    }

    /// <summary>A read-only pass-through that shows every read to its <see cref="FileHash"/>.</summary>
    internal sealed class HashingStream(FileStream inner, FileHash hash) : Stream
    {
        /// <summary>The file read through this stream.</summary>
        public FileStream Inner => inner;

        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            long at = inner.Position;
            int n = inner.Read(buffer);
            if (n > 0) hash.Saw(at, buffer[..n]);
            return n;
        }

        public override int ReadByte()
        {
            Span<byte> one = stackalloc byte[1];
            return Read(one) == 1 ? one[0] : -1;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
