using System.Net.Quic;
using System.Runtime.Versioning;

namespace ClutchCall.Voice.Moqt.Transport.Quic;

/// <summary>Delegates to a <see cref="QuicStream"/>, translating peer aborts into <see cref="MoqtStreamAbortedException"/>.</summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
[SupportedOSPlatform("macos")]
internal sealed class QuicStreamAdapter(QuicStream stream, Func<long, long> decodeCode) : Stream
{
    public override bool CanRead => stream.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => stream.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (QuicException exception) when (Translate(exception, stopSending: false) is { } translated)
        {
            throw translated;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (QuicException exception) when (Translate(exception, stopSending: true) is { } translated)
        {
            throw translated;
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => stream.FlushAsync(cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use WriteAsync.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private MoqtTransportException? Translate(QuicException exception, bool stopSending) => exception.QuicError switch
    {
        QuicError.StreamAborted => new MoqtStreamAbortedException(decodeCode(exception.ApplicationErrorCode ?? 0), stopSending),
        QuicError.ConnectionAborted => new MoqtTransportClosedException(new MoqtTransportCloseInfo(exception.ApplicationErrorCode ?? 0, string.Empty, IsLocal: false)),
        QuicError.OperationAborted => new MoqtTransportClosedException(new MoqtTransportCloseInfo(0, "connection closed locally", IsLocal: true)),
        _ => null,
    };
}
