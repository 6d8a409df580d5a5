using System.Buffers;
using System.Net.WebSockets;

namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>Send side: one pump per stream for STREAM frames, one loop for control frames, one send lock.</summary>
internal sealed partial class WebSocketTransportConnection
{
    /// <summary>Moves what the application wrote on <paramref name="stream"/> into STREAM frames as credit allows.</summary>
    private async Task PumpAsync(QmuxStream stream)
    {
        var reader = stream.OutboundReader!;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_shutdown.Token).ConfigureAwait(false);
                if (stream.SendAborted)
                {
                    break;
                }

                var buffer = result.Buffer;
                var finSent = false;
                while (!buffer.IsEmpty || (result.IsCompleted && !finSent))
                {
                    var chunk = buffer.IsEmpty ? 0 : await ReserveCreditAsync(stream, Math.Min(buffer.Length, MaxStreamPayload)).ConfigureAwait(false);
                    if (!buffer.IsEmpty && chunk == 0)
                    {
                        break;
                    }

                    var fin = result.IsCompleted && chunk == buffer.Length;
                    if (!await SendStreamFrameAsync(stream, buffer.Slice(0, chunk), fin).ConfigureAwait(false))
                    {
                        break;
                    }

                    finSent = fin;
                    buffer = buffer.Slice(chunk);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (finSent || stream.SendAborted || result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Connection closed.
        }
        catch (Exception exception)
        {
            // Each loop catches everything: a failure ends this session only.
            await CloseLocallyAsync(new MoqtTransportCloseInfo(QmuxErrorCode.InternalError, "send failed: " + exception.Message, IsLocal: true, IsTransportError: true), application: false, WebSocketCloseStatus.InternalServerError, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            if (stream.MarkPumpDone())
            {
                TryRelease(stream);
            }
        }
    }

    /// <summary>Waits for stream and connection credit (RFC 9000 §4.1) and reserves up to <paramref name="wanted"/> bytes; 0 when aborted.</summary>
    private async ValueTask<int> ReserveCreditAsync(QmuxStream stream, long wanted)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _creditSignal);
            lock (_flowLock)
            {
                if (stream.SendAborted || _closedException is not null)
                {
                    return 0;
                }

                var available = Math.Min(stream.PeerMaxStreamData - stream.SendReserved, _peerMaxData - _dataSent);
                var granted = Math.Min(wanted, available);
                if (granted > 0)
                {
                    stream.SendReserved += granted;
                    _dataSent += granted;
                    return (int)granted;
                }
            }

            await signal.Task.WaitAsync(_shutdown.Token).ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> SendStreamFrameAsync(QmuxStream stream, ReadOnlySequence<byte> data, bool fin)
    {
        await _sendLock.WaitAsync(_shutdown.Token).ConfigureAwait(false);
        try
        {
            // Checked under the send lock: once RESET_STREAM is written no STREAM frame may follow (RFC 9000 §3.1).
            if (stream.SendAborted)
            {
                return false;
            }

            _sendBuffer.ResetWrittenCount();
            if (data.IsSingleSegment)
            {
                QmuxFrameWriter.WriteStream(_sendBuffer, stream.StreamId, stream.SendOffset, data.FirstSpan, fin);
            }
            else
            {
                var length = (int)data.Length;
                var scratch = ArrayPool<byte>.Shared.Rent(length);
                data.CopyTo(scratch);
                QmuxFrameWriter.WriteStream(_sendBuffer, stream.StreamId, stream.SendOffset, scratch.AsSpan(0, length), fin);
                ArrayPool<byte>.Shared.Return(scratch);
            }

            stream.SendOffset += data.Length;
            stream.SendFinished = fin;
            await _socket.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Writes queued control frames (credit updates, resets, stop-sending, ping replies) in order.</summary>
    private async Task ControlLoopAsync()
    {
        try
        {
            while (await _control.Reader.WaitToReadAsync(_shutdown.Token).ConfigureAwait(false))
            {
                await _sendLock.WaitAsync(_shutdown.Token).ConfigureAwait(false);
                try
                {
                    while (_control.Reader.TryRead(out var frame))
                    {
                        _sendBuffer.ResetWrittenCount();
                        if (!WriteControl(frame))
                        {
                            continue;
                        }

                        await _socket.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _sendLock.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Connection closed.
        }
        catch (Exception exception)
        {
            // Each loop catches everything: a failure ends this session only.
            await CloseLocallyAsync(new MoqtTransportCloseInfo(QmuxErrorCode.InternalError, "send failed: " + exception.Message, IsLocal: true, IsTransportError: true), application: false, WebSocketCloseStatus.InternalServerError, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private bool WriteControl(in ControlFrame frame)
    {
        switch (frame.Kind)
        {
            case ControlKind.MaxData:
                QmuxFrameWriter.WriteValue(_sendBuffer, QmuxFrameType.MaxData, frame.Value);
                return true;
            case ControlKind.MaxStreamData:
                QmuxFrameWriter.WriteStreamValue(_sendBuffer, QmuxFrameType.MaxStreamData, frame.StreamId, frame.Value);
                return true;
            case ControlKind.MaxStreamsBidi:
                QmuxFrameWriter.WriteValue(_sendBuffer, QmuxFrameType.MaxStreamsBidi, frame.Value);
                return true;
            case ControlKind.MaxStreamsUni:
                QmuxFrameWriter.WriteValue(_sendBuffer, QmuxFrameType.MaxStreamsUni, frame.Value);
                return true;
            case ControlKind.StopSending:
                QmuxFrameWriter.WriteStopSending(_sendBuffer, frame.StreamId, frame.Value);
                return true;
            case ControlKind.PingResponse:
                QmuxFrameWriter.WriteValue(_sendBuffer, QmuxFrameType.PingResponse, frame.Value);
                return true;
            default:
                // RFC 9000 §19.4: the final size is what was actually sent; a stream whose FIN went out needs no reset.
                var stream = frame.Stream!;
                if (stream.SendFinished)
                {
                    return false;
                }

                QmuxFrameWriter.WriteResetStream(_sendBuffer, stream.StreamId, frame.Value, stream.SendOffset);
                stream.SendFinished = true;
                return true;
        }
    }

    /// <summary>The application aborted its send side: no more STREAM frames, then RESET_STREAM with its code.</summary>
    internal void ResetSendSide(QmuxStream stream, long errorCode)
    {
        stream.SendAborted = true;
        stream.OutboundReader?.CancelPendingRead();
        SignalCredit();
        EnqueueControl(new ControlFrame(ControlKind.ResetStream, stream.StreamId, errorCode, stream));
    }

    /// <summary>The application consumed bytes: return credit once half a window is used (RFC 9000 §4.2).</summary>
    internal void OnStreamConsumed(QmuxStream stream, long bytes, long window)
    {
        lock (stream.Sync)
        {
            stream.Consumed += bytes;
            if (!stream.ReceiveFinished && stream.Consumed + (window / 2) > stream.ReceiveLimit)
            {
                stream.ReceiveLimit = stream.Consumed + window;
                EnqueueControl(new ControlFrame(ControlKind.MaxStreamData, stream.StreamId, stream.ReceiveLimit));
            }
        }

        ConsumeConnectionCredit(bytes);
    }

    private void ConsumeConnectionCredit(long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        var window = _limits.ConnectionReceiveWindow;
        lock (_flowLock)
        {
            _consumedTotal += bytes;
            if (_consumedTotal + (window / 2) > _maxDataGranted)
            {
                _maxDataGranted = _consumedTotal + window;
                EnqueueControl(new ControlFrame(ControlKind.MaxData, 0, _maxDataGranted));
            }
        }
    }

    /// <summary>The application stopped reading: STOP_SENDING unless the stream already ended (RFC 9000 §3.5).</summary>
    internal void OnStreamReaderCompleted(QmuxStream stream, long errorCode)
    {
        long unread;
        bool ended;
        lock (stream.Sync)
        {
            stream.ReaderGone = true;
            ended = stream.ReceiveFinished;
            unread = stream.ReceivedHighest - stream.Consumed;
            stream.Consumed = stream.ReceivedHighest;
        }

        // Bytes the application will never read still count as consumed for the connection window.
        ConsumeConnectionCredit(unread);
        if (!ended && _closedException is null)
        {
            EnqueueControl(new ControlFrame(ControlKind.StopSending, stream.StreamId, errorCode));
        }
    }

    /// <summary>The application disposed the stream.</summary>
    internal void OnStreamReleased(QmuxStream stream) => TryRelease(stream);

    /// <summary>Forgets a stream once the application disposed it and its pump finished; returns peer stream credit.</summary>
    private void TryRelease(QmuxStream stream)
    {
        if (!stream.IsDisposed || !stream.IsPumpDone || !_streams.TryRemove(stream.StreamId, out _))
        {
            return;
        }

        if (stream.IsLocallyInitiated || _closedException is not null)
        {
            return;
        }

        // RFC 9000 §4.6: raise MAX_STREAMS as peer-initiated streams close, keeping the peer's concurrency constant.
        lock (_flowLock)
        {
            if (stream.IsBidirectional)
            {
                EnqueueControl(new ControlFrame(ControlKind.MaxStreamsBidi, 0, ++_maxStreamsBidiGranted));
            }
            else
            {
                EnqueueControl(new ControlFrame(ControlKind.MaxStreamsUni, 0, ++_maxStreamsUniGranted));
            }
        }
    }
}
