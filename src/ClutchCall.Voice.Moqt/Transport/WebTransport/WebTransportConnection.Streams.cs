using System.Buffers;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>Inbound stream dispatch: HTTP/3 control and QPACK streams, request streams and WebTransport streams.</summary>
internal sealed partial class WebTransportConnection
{
    private void Start() => _ = Task.Run(AcceptLoopAsync);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (await _quic.AcceptStreamAsync(_cts.Token).ConfigureAwait(false) is { } stream)
            {
                // One task per stream: a stream whose type never arrives (Chromium's unused QPACK decoder stream)
                // must not hold up the others.
                _ = DispatchAsync(stream);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or MoqtTransportException or ObjectDisposedException)
        {
            // Connection over.
        }

        var underlying = _quic.Closed.IsCompleted ? _quic.Closed.Result : new MoqtTransportCloseInfo(0, "connection ended", IsLocal: true);

        // A QUIC close with H3_NO_ERROR and no capsule ends the session with code 0 (draft-ietf-webtrans-http3-02 §5).
        var clean = underlying.ErrorCode == Http3ErrorCode.NoError;
        if (Interlocked.Exchange(ref _closing, 1) == 0)
        {
            _closed.TrySetResult(new MoqtTransportCloseInfo(clean ? 0 : underlying.ErrorCode, underlying.Reason, underlying.IsLocal, !clean && underlying.IsTransportError));
        }

        _connectStreamEnded.TrySetResult();
        _peerSettings.TrySetCanceled();
        EndStreams();
    }

    private async Task DispatchAsync(IMoqtStream stream)
    {
        var owned = true;
        try
        {
            owned = stream.IsBidirectional
                ? await DispatchBidirectionalAsync(stream).ConfigureAwait(false)
                : await DispatchUnidirectionalAsync(stream).ConfigureAwait(false);
        }
        catch (MoqtTransportProtocolException ex)
        {
            await FailConnectionAsync(ex.ErrorCode, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MoqtTransportException or InvalidOperationException or IOException or System.Threading.Channels.ChannelClosedException)
        {
            // This stream (or the connection) went away.
        }
        finally
        {
            if (owned)
            {
                await DisposeQuietlyAsync(stream).ConfigureAwait(false);
            }
        }
    }

    /// <returns>True when the caller still owns (and must dispose) the stream.</returns>
    private async Task<bool> DispatchUnidirectionalAsync(IMoqtStream stream)
    {
        // RFC 9114 §6.2: every unidirectional stream starts with its type.
        var type = await Http3StreamReader.ReadVarintAsync(stream.Input!, _cts.Token).ConfigureAwait(false);
        switch (type)
        {
            case null:
                return true;
            case Http3StreamType.Control:
                // RFC 9114 §6.2.1: only one control stream per peer.
                if (Interlocked.Exchange(ref _peerControlSeen, 1) != 0)
                {
                    throw new MoqtTransportProtocolException(Http3ErrorCode.StreamCreationError, "second control stream");
                }

                await RunPeerControlStreamAsync(stream).ConfigureAwait(false);
                return true;
            case Http3StreamType.QpackEncoder or Http3StreamType.QpackDecoder:
                // RFC 9204 §4.2: with a zero-capacity table there is nothing to act on; keep reading so the peer is never blocked.
                await Http3StreamReader.DrainAsync(stream.Input!, _cts.Token).ConfigureAwait(false);
                return true;
            case Http3StreamType.WebTransportUni:
                return await AdoptAsync(stream).ConfigureAwait(false);
            default:
                // RFC 9114 §6.2: unknown types (GREASE, push) are aborted for reading, never a connection error.
                stream.Abort(Http3ErrorCode.StreamCreationError);
                return true;
        }
    }

    private async Task<bool> DispatchBidirectionalAsync(IMoqtStream stream)
    {
        var first = await Http3StreamReader.ReadVarintAsync(stream.Input!, _cts.Token).ConfigureAwait(false);
        if (first is null)
        {
            return true;
        }

        if (first == Http3StreamType.WebTransportBidi)
        {
            return await AdoptAsync(stream).ConfigureAwait(false);
        }

        if (!_isServer)
        {
            // RFC 9114 §6.1: a server opens no request streams; only WebTransport streams may come this way.
            throw new MoqtTransportProtocolException(Http3ErrorCode.StreamCreationError, "server-initiated request stream");
        }

        // A request stream: the first varint was a frame type (RFC 9114 §4.1); HEADERS must come before DATA.
        var frame = await Http3StreamReader.ReadFrameAsync(stream.Input!, IsRequestFrame, MaxHeaderFrame, _cts.Token, first).ConfigureAwait(false);
        if (frame is null)
        {
            return true;
        }

        if (frame.Value.Type != (ulong)Http3FrameType.Headers)
        {
            throw new MoqtTransportProtocolException(Http3ErrorCode.FrameUnexpected, "DATA before HEADERS on a request stream");
        }

        var fields = new List<QpackField>();
        var status = QpackHeaderCodec.TryDecode(frame.Value.Payload, fields);
        if (status != QpackStatus.Success)
        {
            throw new MoqtTransportProtocolException(QpackDecompressionFailed, $"request header block: {status}");
        }

        if (!_requests.Writer.TryWrite((stream, WebTransportHeaders.ReadRequest(fields))))
        {
            // One session per connection, and it exists already (or the handshake gave up).
            stream.Abort(Http3ErrorCode.RequestRejected);
            return true;
        }

        return false;
    }

    private static bool IsRequestFrame(ulong type) => type is (ulong)Http3FrameType.Headers or (ulong)Http3FrameType.Data;

    private static bool IsControlFrame(ulong type) =>
        type is (ulong)Http3FrameType.Settings or (ulong)Http3FrameType.Data or (ulong)Http3FrameType.Headers;

    private async Task RunPeerControlStreamAsync(IMoqtStream stream)
    {
        var input = stream.Input!;

        // RFC 9114 §6.2.1: SETTINGS first; GREASE and unknown frames (GOAWAY, MAX_PUSH_ID) are read past.
        var first = await Http3StreamReader.ReadFrameAsync(input, IsControlFrame, MaxHeaderFrame, _cts.Token).ConfigureAwait(false);
        if (first is not { Type: (ulong)Http3FrameType.Settings } settingsFrame)
        {
            throw new MoqtTransportProtocolException(Http3ErrorCode.MissingSettings, "control stream did not start with SETTINGS");
        }

        var settings = new Dictionary<ulong, ulong>();
        if (!Http3FrameCodec.TryParseSettings(new ReadOnlySequence<byte>(settingsFrame.Payload), settings))
        {
            throw new MoqtTransportProtocolException(Http3ErrorCode.SettingsError, "malformed SETTINGS");
        }

        _peerSettings.TrySetResult(settings);
        while (true)
        {
            var frame = await Http3StreamReader.ReadFrameAsync(input, IsControlFrame, MaxHeaderFrame, _cts.Token).ConfigureAwait(false);
            if (frame is null)
            {
                if (Volatile.Read(ref _closing) != 0)
                {
                    return;
                }

                // RFC 9114 §6.2.1: closing the control stream is a connection error.
                throw new MoqtTransportProtocolException(Http3ErrorCode.ClosedCriticalStream, "peer closed its control stream");
            }

            // RFC 9114 §7.2.4: a second SETTINGS, or DATA/HEADERS on the control stream, is H3_FRAME_UNEXPECTED.
            throw new MoqtTransportProtocolException(Http3ErrorCode.FrameUnexpected, $"frame 0x{frame.Value.Type:x} on the control stream");
        }
    }

    /// <summary>Reads a WebTransport stream's session id and hands the stream to the session (draft-ietf-webtrans-http3-02 §4).</summary>
    private async Task<bool> AdoptAsync(IMoqtStream stream)
    {
        var id = await Http3StreamReader.ReadVarintAsync(stream.Input!, _cts.Token).ConfigureAwait(false);
        if (id is null)
        {
            return true;
        }

        long sessionId;
        try
        {
            // draft-ietf-webtrans-http3-02 §4.5: a stream may arrive before its CONNECT completes; wait for it briefly.
            sessionId = await _session.Task.WaitAsync(_handshakeTimeout, _cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TaskCanceledException or TimeoutException)
        {
            stream.Abort(BufferedStreamRejected);
            return true;
        }

        if ((long)id.Value != sessionId)
        {
            stream.Abort(BufferedStreamRejected);
            return true;
        }

        var adopted = Track(stream);
        try
        {
            await _accepted.Writer.WriteAsync(adopted, _cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Threading.Channels.ChannelClosedException or OperationCanceledException)
        {
            adopted.AbortRaw(SessionGone);
            await adopted.DisposeAsync().ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>
    /// Reads the CONNECT stream after the handshake: DATA frames carry capsules (RFC 9297 §3.2) whose stream may
    /// split across frames; CLOSE_WEBTRANSPORT_SESSION ends the session, other capsules (GREASE, DRAIN) are skipped.
    /// </summary>
    private async Task RunConnectStreamAsync(IMoqtStream connect)
    {
        var pending = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var frame = await Http3StreamReader.ReadFrameAsync(connect.Input!, static t => t == (ulong)Http3FrameType.Data, MaxCapsuleBytes, _cts.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    await OnPeerClosedAsync(new MoqtTransportCloseInfo(0, string.Empty, IsLocal: false)).ConfigureAwait(false);
                    return;
                }

                pending.Write(frame.Value.Payload);
                var buffer = new ReadOnlySequence<byte>(pending.WrittenMemory);
                while (WebTransportCapsules.TryRead(ref buffer, MaxCapsuleBytes, out var type, out var value))
                {
                    if (type == WebTransportCapsules.CloseSession)
                    {
                        if (!WebTransportCapsules.TryParseClose(value, out var code, out var reason))
                        {
                            throw new MoqtTransportProtocolException(Http3ErrorCode.MessageError, "malformed CLOSE_WEBTRANSPORT_SESSION");
                        }

                        await OnPeerClosedAsync(new MoqtTransportCloseInfo(code, reason, IsLocal: false)).ConfigureAwait(false);
                        return;
                    }
                }

                var rest = buffer.ToArray();
                pending.Clear();
                pending.Write(rest);
            }
        }
        catch (MoqtStreamAbortedException ex)
        {
            await OnPeerClosedAsync(new MoqtTransportCloseInfo(Http3ErrorCode.FromWire(ex.ErrorCode), "CONNECT stream reset", IsLocal: false)).ConfigureAwait(false);
        }
        catch (MoqtTransportProtocolException ex)
        {
            await FailConnectionAsync(ex.ErrorCode, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MoqtTransportException or InvalidOperationException or IOException)
        {
            // Connection over; the accept loop reports it.
        }
        finally
        {
            _connectStreamEnded.TrySetResult();
        }
    }

    private async Task SendSettingsAsync(CancellationToken cancellationToken)
    {
        // RFC 9114 §6.2.1: each side opens one control stream and sends SETTINGS first; it stays open.
        var control = await _quic.OpenUnidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        _localControl = control;
        QuicVarint.Write(control.Output!, Http3StreamType.Control);
        Http3FrameCodec.WriteSettings(control.Output!, LocalSettings);
        await control.Output!.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Establish(IMoqtStream connect, MoqtConnectionInfo info)
    {
        _connectStream = connect;
        Info = info;
        Volatile.Write(ref _sessionId, connect.StreamId);
        _requests.Writer.TryComplete();
        _session.TrySetResult(connect.StreamId);
        _ = Task.Run(() => RunConnectStreamAsync(connect));
    }
}
