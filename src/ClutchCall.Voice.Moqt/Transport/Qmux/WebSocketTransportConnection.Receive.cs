using System.Buffers;
using System.Net.WebSockets;

namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>Receive side: one loop reads whole WebSocket messages (bounded) and applies their frames.</summary>
internal sealed partial class WebSocketTransportConnection
{
    private async Task ReceiveLoopAsync()
    {
        // One buffer for the connection's life, one byte larger than the limit so an oversized message is detected.
        var buffer = ArrayPool<byte>.Shared.Rent(_receiveLimit + 1);
        var parametersSeen = false;
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length > _receiveLimit)
                    {
                        // draft-ietf-quic-qmux-00 max_frame_size / -01 max_record_size: a larger record is a protocol violation.
                        throw new MoqtTransportProtocolException(QmuxErrorCode.FrameEncodingError, $"record larger than {_receiveLimit} bytes");
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length, _receiveLimit + 1 - length), CancellationToken.None).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var status = _socket.CloseStatus ?? WebSocketCloseStatus.Empty;
                    Terminate(new MoqtTransportCloseInfo((long)status, _socket.CloseStatusDescription ?? "WebSocket closed", IsLocal: false, IsTransportError: true));
                    await AnswerCloseAsync().ConfigureAwait(false);
                    return;
                }

                if (length > _receiveLimit)
                {
                    throw new MoqtTransportProtocolException(QmuxErrorCode.FrameEncodingError, $"record larger than {_receiveLimit} bytes");
                }

                // QMux frames travel in binary messages only.
                if (result.MessageType != WebSocketMessageType.Binary)
                {
                    throw new MoqtTransportProtocolException(QmuxErrorCode.ProtocolViolation, "text message on a QMux connection");
                }

                if (length == 0)
                {
                    throw new MoqtTransportProtocolException(QmuxErrorCode.FrameEncodingError, "empty record");
                }

                if (!await ProcessRecordAsync(buffer.AsMemory(0, length), parametersSeen).ConfigureAwait(false))
                {
                    // The peer closed the session: answer the WebSocket close, then drain until its close arrives.
                    await AnswerCloseAsync().ConfigureAwait(false);
                }

                parametersSeen = true;
            }
        }
        catch (MoqtTransportProtocolException exception)
        {
            // A protocol violation closes this session only (RFC 9000 §11.1), with the QUIC transport error code.
            await CloseLocallyAsync(new MoqtTransportCloseInfo(exception.ErrorCode, exception.Message, IsLocal: true, IsTransportError: true), application: false, WebSocketCloseStatus.ProtocolError, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Closed locally.
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or IOException)
        {
            Terminate(new MoqtTransportCloseInfo(QmuxErrorCode.InternalError, "connection lost: " + exception.Message, IsLocal: false, IsTransportError: true));
            _socket.Abort();
        }
        catch (Exception exception)
        {
            // Each loop catches everything: a failure ends this session only.
            await CloseLocallyAsync(new MoqtTransportCloseInfo(QmuxErrorCode.InternalError, "receive failed: " + exception.Message, IsLocal: true, IsTransportError: true), application: false, WebSocketCloseStatus.InternalServerError, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends our half of the WebSocket close handshake (RFC 6455 §5.5.1) unless already sent.</summary>
    private async Task AnswerCloseAsync()
    {
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            _socket.Abort();
        }
    }

    /// <summary>Applies every frame of one record; false once the session ended.</summary>
    private async ValueTask<bool> ProcessRecordAsync(ReadOnlyMemory<byte> record, bool parametersSeen)
    {
        if (Volatile.Read(ref _closedException) is not null)
        {
            // Closed locally: drain until the peer's WebSocket close arrives, applying nothing.
            return true;
        }

        var offset = 0;
        while (offset < record.Length)
        {
            var pendingFlush = ApplyFrame(record.Span[offset..], ref offset, ref parametersSeen, out var ended);
            if (ended)
            {
                return false;
            }

            if (pendingFlush is { } flush)
            {
                await flush.ConfigureAwait(false);
            }
        }

        return true;
    }

    private Task? ApplyFrame(ReadOnlySpan<byte> remaining, ref int offset, ref bool parametersSeen, out bool ended)
    {
        ended = false;
        var status = QmuxFrameReader.TryRead(remaining, out var frame, out var consumed);
        if (status != QmuxReadStatus.Success)
        {
            // RFC 9000 §12.4: an unknown frame type or a badly formatted frame is a FRAME_ENCODING_ERROR.
            throw new MoqtTransportProtocolException(QmuxErrorCode.FrameEncodingError, $"bad frame ({status})");
        }

        offset += consumed;

        // draft-ietf-quic-qmux-02: QX_TRANSPORT_PARAMETERS must be the first frame, and only the first.
        if (_version == QmuxVersion.Draft02 && (frame.Type == QmuxFrameType.TransportParameters) == parametersSeen)
        {
            throw new MoqtTransportProtocolException(QmuxErrorCode.ProtocolViolation, "QX_TRANSPORT_PARAMETERS must be the first frame");
        }

        parametersSeen = true;
        switch (frame.Type)
        {
            case QmuxFrameType.Stream:
                return OnStream(ref frame);
            case QmuxFrameType.ResetStream:
                OnResetStream(ref frame);
                return null;
            case QmuxFrameType.StopSending:
                OnStopSending(ref frame);
                return null;
            case QmuxFrameType.MaxData:
                lock (_flowLock)
                {
                    // RFC 9000 §19.9: a MAX_DATA that does not increase the limit is ignored.
                    _peerMaxData = Math.Max(_peerMaxData, frame.Value);
                }

                SignalCredit();
                return null;
            case QmuxFrameType.MaxStreamData:
                OnMaxStreamData(ref frame);
                return null;
            case QmuxFrameType.MaxStreamsBidi or QmuxFrameType.MaxStreamsUni:
                lock (_flowLock)
                {
                    ref var limit = ref frame.Type == QmuxFrameType.MaxStreamsUni ? ref _peerMaxStreamsUni : ref _peerMaxStreamsBidi;
                    limit = Math.Max(limit, frame.Value);
                }

                SignalCredit();
                return null;
            case QmuxFrameType.TransportParameters:
                OnTransportParameters(ref frame);
                return null;
            case QmuxFrameType.ConnectionClose or QmuxFrameType.ApplicationClose:
                // RFC 9000 §10.2: the peer closed; 0x1c reports a transport error, 0x1d an application close.
                Terminate(new MoqtTransportCloseInfo(frame.ErrorCode, DecodeReason(frame.Data), IsLocal: false, IsTransportError: frame.Type == QmuxFrameType.ConnectionClose));
                ended = true;
                return null;
            case QmuxFrameType.PingRequest:
                EnqueueControl(new ControlFrame(ControlKind.PingResponse, 0, frame.Value));
                return null;
            case QmuxFrameType.Datagram:
                // RFC 9221 §3: DATAGRAM frames without having advertised max_datagram_frame_size are a PROTOCOL_VIOLATION.
                throw new MoqtTransportProtocolException(QmuxErrorCode.ProtocolViolation, "DATAGRAM not negotiated");
            default:
                // PADDING, PING, QX_PING responses and the *_BLOCKED signals need no action.
                return null;
        }
    }

    private void OnTransportParameters(ref QmuxFrame frame)
    {
        if (!QmuxTransportParameters.TryParse(frame.Data, out var parameters))
        {
            throw new MoqtTransportProtocolException(QmuxErrorCode.TransportParameterError, "invalid transport parameters");
        }

        lock (_flowLock)
        {
            if (_peerParametersReceived)
            {
                throw new MoqtTransportProtocolException(QmuxErrorCode.ProtocolViolation, "transport parameters sent twice");
            }

            _peerParametersReceived = true;
            _peerParameters = parameters;
            _peerMaxData = Math.Max(_peerMaxData, parameters.InitialMaxData);
            _peerMaxStreamsBidi = Math.Max(_peerMaxStreamsBidi, parameters.InitialMaxStreamsBidi);
            _peerMaxStreamsUni = Math.Max(_peerMaxStreamsUni, parameters.InitialMaxStreamsUni);
        }

        SignalCredit();
    }

    /// <summary>Finds the stream a frame names, creating a peer-initiated one on first use (RFC 9000 §3.2).</summary>
    /// <returns>The stream, or null when it was already closed and forgotten (the frame is then ignored).</returns>
    private QmuxStream? ResolveStream(long streamId)
    {
        if (_streams.TryGetValue(streamId, out var stream))
        {
            return stream;
        }

        var unidirectional = QuicStreamId.IsUnidirectional(streamId);
        var index = QuicStreamId.IndexOf(streamId);
        if (QuicStreamId.IsLocal(streamId, _isServer))
        {
            // RFC 9000 §19.8: a frame for a locally-initiated stream not yet created is a STREAM_STATE_ERROR.
            var opened = unidirectional ? Volatile.Read(ref _nextLocalUni) : Volatile.Read(ref _nextLocalBidi);
            return index < opened ? null : throw new MoqtTransportProtocolException(QmuxErrorCode.StreamStateError, $"frame for unopened local stream {streamId}");
        }

        ref var next = ref unidirectional ? ref _nextPeerUni : ref _nextPeerBidi;
        if (index < next)
        {
            return null;
        }

        long granted;
        lock (_flowLock)
        {
            granted = unidirectional ? _maxStreamsUniGranted : _maxStreamsBidiGranted;
        }

        // RFC 9000 §4.6: opening a stream beyond the advertised limit is a STREAM_LIMIT_ERROR.
        if (index >= granted)
        {
            throw new MoqtTransportProtocolException(QmuxErrorCode.StreamLimitError, $"stream {streamId} exceeds MAX_STREAMS {granted}");
        }

        // RFC 9000 §3.2: opening a stream implicitly opens every lower-numbered stream of the same type, so a
        // frame that overtakes its predecessors' first frames (their senders race) still finds them open.
        var credit = unidirectional ? 0 : _peerParameters.InitialMaxStreamDataBidiLocal;
        for (; next <= index; next++)
        {
            var id = QuicStreamId.Compose(next, !_isServer, unidirectional);
            stream = new QmuxStream(this, id, locallyInitiated: false, credit, _limits.StreamReceiveWindow);
            _streams[id] = stream;
            if (stream.HasSendSide)
            {
                var started = stream;
                _ = Task.Run(() => PumpAsync(started), CancellationToken.None);
            }

            if (!_accept.Writer.TryWrite(stream))
            {
                // The application is not accepting: refuse the stream rather than buffer without bound.
                stream.Abort(0);
                stream.Release();
            }
        }

        return stream;
    }

    private Task? OnStream(ref QmuxFrame frame)
    {
        var stream = ResolveStream(frame.StreamId);
        var length = frame.Data.Length;
        if (stream is null)
        {
            // Data for a forgotten stream still used connection credit; hand it straight back.
            AccountConnectionData(length);
            ConsumeConnectionCredit(length);
            return null;
        }

        if (!stream.HasReceiveSide)
        {
            throw new MoqtTransportProtocolException(QmuxErrorCode.StreamStateError, $"STREAM frame on send-only stream {frame.StreamId}");
        }

        var end = frame.Offset + length;
        Task? flush = null;
        long discarded = 0;
        lock (stream.Sync)
        {
            // RFC 9000 §4.1: data beyond the granted offset is a FLOW_CONTROL_ERROR.
            if (end > stream.ReceiveLimit)
            {
                throw new MoqtTransportProtocolException(QmuxErrorCode.FlowControlError, $"stream {frame.StreamId} exceeded its window");
            }

            // RFC 9000 §4.5: data past a known final size, or a changed final size, is a FINAL_SIZE_ERROR.
            if (stream.ReceiveFinished && (end > stream.ReceivedHighest || (frame.Fin && end != stream.ReceivedHighest)))
            {
                throw new MoqtTransportProtocolException(QmuxErrorCode.FinalSizeError, $"stream {frame.StreamId} data past its final size");
            }

            // The WebSocket is ordered and reliable: data arrives in sequence, so a gap is a protocol violation.
            if (frame.Offset > stream.ReceivedHighest)
            {
                throw new MoqtTransportProtocolException(QmuxErrorCode.ProtocolViolation, $"stream {frame.StreamId} data out of order");
            }

            if (stream.ReceiveFinished)
            {
                return null;
            }

            var fresh = end - stream.ReceivedHighest;
            var data = fresh > 0 ? frame.Data[(int)(length - fresh)..] : default;
            AccountConnectionData(Math.Max(0, fresh));
            stream.ReceivedHighest = Math.Max(stream.ReceivedHighest, end);
            if (stream.ReaderGone)
            {
                discarded = data.Length;
                stream.Consumed += discarded;
            }
            else if (!data.IsEmpty)
            {
                // The inbound pipe never pauses (flow control bounds it), so this flush completes synchronously.
                var writer = stream.InboundWriter!;
                writer.Write(data);
                var pending = writer.FlushAsync();
                if (!pending.IsCompletedSuccessfully)
                {
                    flush = pending.AsTask();
                }
            }

            if (frame.Fin)
            {
                stream.ReceiveFinished = true;
                stream.InboundWriter!.Complete();
            }
        }

        ConsumeConnectionCredit(discarded);
        return flush;
    }

    /// <summary>Counts newly received bytes against the connection window we granted (RFC 9000 §4.1).</summary>
    private void AccountConnectionData(long bytes)
    {
        lock (_flowLock)
        {
            _receivedTotal += bytes;
            if (_receivedTotal > _maxDataGranted)
            {
                throw new MoqtTransportProtocolException(QmuxErrorCode.FlowControlError, "connection exceeded MAX_DATA");
            }
        }
    }

    private void OnResetStream(ref QmuxFrame frame)
    {
        var stream = ResolveStream(frame.StreamId);
        if (stream is null)
        {
            return;
        }

        // RFC 9000 §19.4: RESET_STREAM for a send-only stream is a STREAM_STATE_ERROR.
        if (!stream.HasReceiveSide)
        {
            throw new MoqtTransportProtocolException(QmuxErrorCode.StreamStateError, $"RESET_STREAM on send-only stream {frame.StreamId}");
        }

        long unread;
        lock (stream.Sync)
        {
            // RFC 9000 §4.5: the final size may not shrink below data received, nor change once known.
            if (frame.Value < stream.ReceivedHighest || (stream.ReceiveFinished && frame.Value != stream.ReceivedHighest) || frame.Value > stream.ReceiveLimit)
            {
                throw new MoqtTransportProtocolException(QmuxErrorCode.FinalSizeError, $"stream {frame.StreamId} reset with bad final size");
            }

            if (stream.ReceiveFinished)
            {
                return;
            }

            AccountConnectionData(frame.Value - stream.ReceivedHighest);
            stream.ReceivedHighest = frame.Value;
            stream.ReceiveFinished = true;
            unread = stream.ReceivedHighest - stream.Consumed;
            stream.Consumed = stream.ReceivedHighest;
            stream.InboundWriter!.Complete(new MoqtStreamAbortedException(frame.ErrorCode, stopSending: false));
        }

        // RFC 9000 §4.5: after a reset the whole final size counts as consumed at connection level.
        ConsumeConnectionCredit(unread);
    }

    private void OnStopSending(ref QmuxFrame frame)
    {
        var stream = ResolveStream(frame.StreamId);
        if (stream is null)
        {
            return;
        }

        // RFC 9000 §19.5: STOP_SENDING for a receive-only stream is a STREAM_STATE_ERROR.
        if (!stream.HasSendSide)
        {
            throw new MoqtTransportProtocolException(QmuxErrorCode.StreamStateError, $"STOP_SENDING on receive-only stream {frame.StreamId}");
        }

        // RFC 9000 §3.5: answer STOP_SENDING with RESET_STREAM carrying the same code.
        stream.FailOutput(new MoqtStreamAbortedException(frame.ErrorCode, stopSending: true));
        ResetSendSide(stream, frame.ErrorCode);
    }

    private void OnMaxStreamData(ref QmuxFrame frame)
    {
        var stream = ResolveStream(frame.StreamId);
        if (stream is null)
        {
            return;
        }

        // RFC 9000 §19.10: MAX_STREAM_DATA for a receive-only stream is a STREAM_STATE_ERROR.
        if (!stream.HasSendSide)
        {
            throw new MoqtTransportProtocolException(QmuxErrorCode.StreamStateError, $"MAX_STREAM_DATA on receive-only stream {frame.StreamId}");
        }

        lock (_flowLock)
        {
            stream.PeerMaxStreamData = Math.Max(stream.PeerMaxStreamData, frame.Value);
        }

        SignalCredit();
    }
}
