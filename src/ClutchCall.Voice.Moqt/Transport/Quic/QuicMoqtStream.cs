using System.IO.Pipelines;
using System.Net.Quic;
using System.Runtime.Versioning;

namespace ClutchCall.Voice.Moqt.Transport.Quic;

/// <summary>A <see cref="QuicStream"/> seen through pipes, with QUIC aborts mapped to <see cref="MoqtStreamAbortedException"/>.</summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
[SupportedOSPlatform("macos")]
internal sealed class QuicMoqtStream : IMoqtStream
{
    private readonly QuicStream _stream;
    private readonly Func<long, long> _encodeCode;

    /// <param name="stream">The QUIC stream; owned (disposed with this object).</param>
    /// <param name="locallyInitiated">True when this side opened it.</param>
    /// <param name="encodeCode">Maps an application code to the wire code (identity for raw QUIC, HTTP/3 mapping for WebTransport).</param>
    /// <param name="decodeCode">The reverse mapping.</param>
    /// <param name="input">Receive side to expose instead of the stream's own (WebTransport: after the stream prefix).</param>
    public QuicMoqtStream(QuicStream stream, bool locallyInitiated, Func<long, long> encodeCode, Func<long, long> decodeCode, PipeReader? input = null)
    {
        _stream = stream;
        _encodeCode = encodeCode;
        IsLocallyInitiated = locallyInitiated;
        var adapter = new QuicStreamAdapter(stream, decodeCode);
        if (stream.CanRead)
        {
            Input = input ?? PipeReader.Create(adapter, new StreamPipeReaderOptions(leaveOpen: true));
        }

        if (stream.CanWrite)
        {
            Output = PipeWriter.Create(adapter, new StreamPipeWriterOptions(leaveOpen: true));
        }
    }

    public long StreamId => _stream.Id;

    public bool IsBidirectional => _stream.Type == QuicStreamType.Bidirectional;

    public bool IsLocallyInitiated { get; }

    public PipeReader? Input { get; }

    public PipeWriter? Output { get; }

    public void Abort(long errorCode)
    {
        var direction = (_stream.CanRead ? QuicAbortDirection.Read : 0) | (_stream.CanWrite ? QuicAbortDirection.Write : 0);
        if (direction != 0)
        {
            _stream.Abort(direction, _encodeCode(errorCode));
        }
    }

    public async ValueTask CompleteWritesAsync()
    {
        if (Output is null)
        {
            return;
        }

        await Output.FlushAsync().ConfigureAwait(false);
        _stream.CompleteWrites();
    }

    public async ValueTask DisposeAsync()
    {
        if (Output is not null)
        {
            try
            {
                await Output.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is MoqtTransportException or IOException or InvalidOperationException)
            {
                // Already aborted.
            }
        }

        // QuicStream.DisposeAsync completes writes gracefully and aborts unread reads; credit returns on disposal.
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
