using System.Buffers;
using System.IO.Pipelines;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>A frame read off an HTTP/3 stream with its payload copied out (control-plane only, never per media object).</summary>
internal readonly record struct Http3BufferedFrame(ulong Type, byte[] Payload);

/// <summary>Async helpers that read varints and frames from an HTTP/3 stream's pipe.</summary>
internal static class Http3StreamReader
{
    /// <summary>Reads one varint (a stream type, a signal value, a session id). Null when the stream ended first.</summary>
    public static async ValueTask<ulong?> ReadVarintAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (QuicVarint.TryRead(ref reader, out var value))
            {
                input.AdvanceTo(reader.Position);
                return value;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.End);
                return null;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Reads the next frame whose type is in <paramref name="wanted"/>; every other frame type (GREASE and unknown
    /// ones, RFC 9114 §9) is skipped without buffering its payload. Null when the stream ended on a frame
    /// boundary. Throws <see cref="MoqtTransportProtocolException"/> with H3_FRAME_ERROR when the stream ends
    /// inside a frame, and H3_EXCESSIVE_LOAD when a wanted frame is longer than <paramref name="maxPayload"/>.
    /// </summary>
    /// <param name="input">The stream.</param>
    /// <param name="wanted">Frame types to return; the rest are skipped.</param>
    /// <param name="maxPayload">Largest payload buffered.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="firstType">The first frame's type when the caller already read it (a request stream's first varint).</param>
    public static async ValueTask<Http3BufferedFrame?> ReadFrameAsync(PipeReader input, Func<ulong, bool> wanted, int maxPayload, CancellationToken cancellationToken, ulong? firstType = null)
    {
        while (true)
        {
            var type = firstType ?? await ReadVarintAsync(input, cancellationToken).ConfigureAwait(false);
            firstType = null;
            if (type is null)
            {
                return null;
            }

            var length = await ReadVarintAsync(input, cancellationToken).ConfigureAwait(false)
                ?? throw new MoqtTransportProtocolException(Http3ErrorCode.FrameError, $"stream ended inside the header of frame 0x{type:x}");
            if (!wanted(type.Value))
            {
                await SkipAsync(input, length, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // RFC 9114 §7.1: check the declared length against our limit before buffering anything.
            if (length > (ulong)maxPayload)
            {
                throw new MoqtTransportProtocolException(Http3ErrorCode.ExcessiveLoad, $"HTTP/3 frame 0x{type:x} of {length} bytes exceeds {maxPayload}");
            }

            var payload = new byte[(int)length];
            var filled = 0;
            while (filled < payload.Length)
            {
                var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                var take = (int)Math.Min(buffer.Length, payload.Length - filled);
                buffer.Slice(0, take).CopyTo(payload.AsSpan(filled));
                filled += take;
                input.AdvanceTo(buffer.GetPosition(take));
                if (filled < payload.Length && (result.IsCompleted || result.IsCanceled))
                {
                    throw new MoqtTransportProtocolException(Http3ErrorCode.FrameError, $"stream ended inside frame 0x{type:x}");
                }
            }

            return new Http3BufferedFrame(type.Value, payload);
        }
    }

    /// <summary>Discards everything until the peer ends the stream (QPACK streams of a decoder with no dynamic table).</summary>
    public static async Task DrainAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private static async ValueTask SkipAsync(PipeReader input, ulong length, CancellationToken cancellationToken)
    {
        while (length > 0)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var take = (long)Math.Min((ulong)result.Buffer.Length, length);
            input.AdvanceTo(result.Buffer.GetPosition(take));
            length -= (ulong)take;
            if (length > 0 && (result.IsCompleted || result.IsCanceled))
            {
                throw new MoqtTransportProtocolException(Http3ErrorCode.FrameError, "stream ended inside a skipped frame");
            }
        }
    }
}
