using System.Buffers;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>Where received objects of one flow go.</summary>
internal interface IObjectTarget
{
    /// <summary>Hands one object on; spans are valid during the call only.</summary>
    void Deliver(in ReceivedObjectHeader header, ReadOnlySpan<byte> extensions, in ReadOnlySequence<byte> payload);
}

/// <summary>One object to send on a fetch stream.</summary>
internal readonly record struct FetchObject(Location Location, ulong SubgroupId, byte PublisherPriority, ReadOnlyMemory<byte> Extensions, ReadOnlyMemory<byte> Payload);

/// <summary>The data plane: peer-opened streams, datagrams and fetch streams (draft-ietf-moq-transport-14 §10).</summary>
internal sealed partial class MoqtSession
{
    private long _dataStreamsReset;

    /// <summary>Data streams the peer reset before their end.</summary>
    public long DataStreamsReset => Interlocked.Read(ref _dataStreamsReset);

    /// <summary>
    /// Answers an accepted FETCH: one unidirectional stream with FETCH_HEADER then each object
    /// (draft-ietf-moq-transport-14 §10.4.4), finished with FIN.
    /// </summary>
    public async ValueTask SendFetchObjectsAsync(ulong requestId, IReadOnlyList<FetchObject> objects)
    {
        var stream = await _connection.OpenUnidirectionalStreamAsync(_cts.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var output = stream.Output!;
            MoqtDataWriter.WriteFetchHeader(output, requestId);
            foreach (var o in objects)
            {
                MoqtDataWriter.WriteFetchObject(output, o.Location.Group, o.SubgroupId, o.Location.Object, o.PublisherPriority, o.Extensions.Span, o.Payload.Span);
            }

            await stream.CompleteWritesAsync().ConfigureAwait(false);
        }
    }

    private async Task AcceptLoopAsync()
    {
        var token = _cts.Token;
        while (true)
        {
            var stream = await _connection.AcceptStreamAsync(token).ConfigureAwait(false);
            if (stream is null)
            {
                return;
            }

            // §3.3: the control stream is the only bidirectional stream in draft-14.
            if (stream.IsBidirectional)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw MoqtProtocolException.Violation("A second bidirectional stream was opened.");
            }

            if (Interlocked.Increment(ref _openDataStreams) > Options.MaxConcurrentDataStreams)
            {
                Interlocked.Decrement(ref _openDataStreams);
                await stream.DisposeAsync().ConfigureAwait(false);
                throw MoqtProtocolException.Violation($"More than {Options.MaxConcurrentDataStreams} data streams open at once.");
            }

            _ = RunDataStreamAsync(stream);
        }
    }

    private async Task RunDataStreamAsync(IMoqtStream stream)
    {
        var progress = _watchdog.Register();
        try
        {
            await ReceiveDataStreamAsync(stream, progress).ConfigureAwait(false);
        }
        catch (MoqtProtocolException ex)
        {
            await TerminateAsync(new MoqtSessionCloseInfo(ex.Code, ex.Message, true)).ConfigureAwait(false);
        }
        catch (MoqtStreamAbortedException)
        {
            // §10.4.3: the publisher reset the stream (delivery timeout, cancelled): the rest of that group is gone.
            Interlocked.Increment(ref _dataStreamsReset);
        }
        catch (Exception) when (_cts.IsCancellationRequested)
        {
            // Session closing.
        }
        catch (MoqtTransportException)
        {
            // The transport is failing; WatchTransportAsync ends the session.
        }
        catch (Exception ex)
        {
            await TerminateAsync(new MoqtSessionCloseInfo(MoqtSessionErrorCode.InternalError, ex.GetType().Name + ": " + ex.Message, true)).ConfigureAwait(false);
        }
        finally
        {
            progress.Dispose();
            Interlocked.Decrement(ref _openDataStreams);
            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A dead stream may refuse disposal.
            }
        }
    }

    private async Task ReceiveDataStreamAsync(IMoqtStream stream, DataStreamProgress progress)
    {
        var input = stream.Input!;
        var token = _cts.Token;
        MoqtStreamHeader header;
        while (true)
        {
            var result = await input.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (MoqtDataReader.TryReadStreamHeader(ref buffer, out header))
            {
                input.AdvanceTo(buffer.Start);
                break;
            }

            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    throw MoqtProtocolException.Violation("A data stream ended inside its header.");
                }

                return;
            }

            progress.SetPartial(true);
            input.AdvanceTo(buffer.Start, buffer.End);
        }

        progress.SetPartial(false);
        if (header.Kind == MoqtDataStreamKind.Fetch)
        {
            await ReceiveFetchStreamAsync(input, header.FetchRequestId, progress, stream).ConfigureAwait(false);
            return;
        }

        var subscription = await ResolveAliasAsync(header.Subgroup.TrackAlias).ConfigureAwait(false);
        if (subscription is null)
        {
            // Nobody here wants this alias (unsubscribed, or never subscribed): stop the stream (§10.4.3 CANCELLED).
            stream.Abort((long)MoqtStreamResetErrorCode.Cancelled);
            return;
        }

        var cursor = new MoqtSubgroupCursor(header.Subgroup);
        var maxPayload = Options.MaxObjectBytes;
        while (true)
        {
            var result = await input.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (TryTakeSubgroupObject(ref buffer, ref cursor, maxPayload, subscription))
            {
            }

            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    throw MoqtProtocolException.Violation("A data stream ended inside an object.");
                }

                return;
            }

            progress.SetPartial(!buffer.IsEmpty);
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryTakeSubgroupObject(ref ReadOnlySequence<byte> buffer, ref MoqtSubgroupCursor cursor, int maxPayload, MoqtSubscription subscription)
    {
        var trial = cursor;
        if (!MoqtDataReader.TryReadSubgroupObjectHeader(buffer, ref trial, out var h))
        {
            return false;
        }

        if (h.PayloadLength > maxPayload)
        {
            throw MoqtProtocolException.Violation($"Object of {h.PayloadLength} bytes exceeds the {maxPayload}-byte limit.");
        }

        if (buffer.Length < h.TotalLength)
        {
            return false;
        }

        cursor = trial;
        Deliver(buffer, h, subscription);
        buffer = buffer.Slice(h.TotalLength);
        return true;
    }

    private async Task ReceiveFetchStreamAsync(System.IO.Pipelines.PipeReader input, ulong requestId, DataStreamProgress progress, IMoqtStream stream)
    {
        if (!_fetches.TryGetValue(requestId, out var fetch))
        {
            stream.Abort((long)MoqtStreamResetErrorCode.Cancelled);
            return;
        }

        var token = _cts.Token;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (MoqtDataReader.TryReadFetchObjectHeader(buffer, out var h))
                {
                    if (h.PayloadLength > Options.MaxObjectBytes)
                    {
                        throw MoqtProtocolException.Violation($"Object of {h.PayloadLength} bytes exceeds the {Options.MaxObjectBytes}-byte limit.");
                    }

                    if (buffer.Length < h.TotalLength)
                    {
                        break;
                    }

                    Deliver(buffer, h, fetch);
                    buffer = buffer.Slice(h.TotalLength);
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw MoqtProtocolException.Violation("A fetch stream ended inside an object.");
                    }

                    fetch.Complete();
                    return;
                }

                progress.SetPartial(!buffer.IsEmpty);
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception ex)
        {
            fetch.Fail(ex);
            throw;
        }
        finally
        {
            _fetches.TryRemove(requestId, out _);
        }
    }

    private static void Deliver(in ReadOnlySequence<byte> buffer, in MoqtObjectHeader h, IObjectTarget target)
    {
        var header = new ReceivedObjectHeader(h.Location, h.SubgroupId, h.PublisherPriority, h.Status);
        var payload = buffer.Slice(h.HeaderLength, h.PayloadLength);
        var extSlice = buffer.Slice(h.ExtensionsOffset, h.ExtensionsLength);
        if (extSlice.IsSingleSegment)
        {
            target.Deliver(header, extSlice.FirstSpan, payload);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(h.ExtensionsLength);
        try
        {
            extSlice.CopyTo(rented);
            target.Deliver(header, rented.AsSpan(0, h.ExtensionsLength), payload);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private async Task DatagramLoopAsync()
    {
        var token = _cts.Token;
        var size = Math.Max(_connection.MaxDatagramSize, 1);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            while (true)
            {
                var length = await _connection.ReceiveDatagramAsync(buffer.AsMemory(0, size), token).ConfigureAwait(false);
                if (length < 0)
                {
                    return;
                }

                // §10.3.1: a truncated datagram is dropped; an unknown type closes the session (the reader throws).
                if (!MoqtDataReader.TryReadDatagram(buffer.AsSpan(0, length), out var d)
                    || !_incomingByAlias.TryGetValue(d.TrackAlias, out var subscription))
                {
                    continue;
                }

                var header = new ReceivedObjectHeader(new Location(d.GroupId, d.ObjectId), 0, d.PublisherPriority, d.Status);
                var payload = new ReadOnlySequence<byte>(buffer, d.PayloadOffset, d.PayloadLength);
                subscription.Deliver(header, buffer.AsSpan(d.ExtensionsOffset, d.ExtensionsLength), payload);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
