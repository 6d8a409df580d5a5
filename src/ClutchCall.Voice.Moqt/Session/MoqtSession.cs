using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>
/// One MoQT session over an <see cref="IMoqtTransportConnection"/>: SETUP and version negotiation, the
/// control stream, request-id accounting, subscriptions and publications in both directions, and the data
/// streams that carry objects. The control-message model is version-neutral; the negotiated version's
/// <see cref="IMoqtWireCodec"/> does the bytes (draft-14 today).
/// </summary>
/// <remarks>
/// Every loop catches everything: a peer that breaks the protocol closes this session with the draft's code
/// (draft-ietf-moq-transport-14 §3.4) and nothing else. <see cref="Completion"/> never faults.
/// </remarks>
internal sealed partial class MoqtSession : IAsyncDisposable
{
    /// <summary>How long a client whose SETUP failed waits for the server's close to learn its code.</summary>
    private static readonly TimeSpan PeerCloseWait = TimeSpan.FromSeconds(2);

    private readonly IMoqtTransportConnection _connection;
    private readonly IMoqtStream _control;
    private readonly PipeReader _controlInput;
    private readonly PipeWriter _controlOutput;
    private readonly MoqtControlMessageReader _reader;
    private readonly MoqtControlMessageWriter _writer;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<MoqtSessionCloseInfo> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RequestIdAccounting _requestIds;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<MoqtControlMessage>> _pending = new();
    private readonly ConcurrentDictionary<ulong, MoqtSubscription> _incomingByRequest = new();
    private readonly ConcurrentDictionary<ulong, MoqtSubscription> _incomingByAlias = new();
    private readonly ConcurrentDictionary<ulong, MoqtTrackWriter> _outgoingByRequest = new();
    private readonly ConcurrentDictionary<ulong, MoqtFetch> _fetches = new();
    private readonly StreamWatchdog _watchdog;
    private MoqtSessionHandler _handler = new();
    private TaskCompletionSource _aliasesChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextTrackAlias;
    private int _closing;
    private int _openDataStreams;

    private MoqtSession(
        IMoqtTransportConnection connection,
        IMoqtStream control,
        MoqtSessionRole role,
        MoqtSessionOptions options,
        IMoqtWireCodec codec,
        RequestIdAccounting requestIds,
        MoqtParameters peerParameters)
    {
        _connection = connection;
        _control = control;
        _controlInput = control.Input!;
        _controlOutput = control.Output!;
        Role = role;
        Options = options;
        Codec = codec;
        _reader = new MoqtControlMessageReader(codec, Math.Min(options.MaxControlMessageBytes, MoqtControlMessageReader.MaxControlMessageLength));
        _writer = new MoqtControlMessageWriter(codec);
        _requestIds = requestIds;
        PeerParameters = peerParameters;
        _watchdog = new StreamWatchdog(this, options.Time);
    }

    /// <summary>Client or server end.</summary>
    public MoqtSessionRole Role { get; }

    /// <summary>The negotiated version.</summary>
    public MoqtVersion Version => Codec.Version;

    /// <summary>The codec of the negotiated version.</summary>
    public IMoqtWireCodec Codec { get; }

    /// <summary>Settings this session runs with.</summary>
    public MoqtSessionOptions Options { get; }

    /// <summary>The transport underneath.</summary>
    public IMoqtTransportConnection Connection => _connection;

    /// <summary>The peer's SETUP parameters.</summary>
    public MoqtParameters PeerParameters { get; }

    /// <summary>
    /// The token the client presented: SETUP's AUTHORIZATION TOKEN (USE_VALUE, UTF-8) or else the transport's
    /// URL-query token. Null when neither is present. Server side only.
    /// </summary>
    public string? PresentedToken { get; private init; }

    /// <summary>Set once GOAWAY was received.</summary>
    public bool IsDraining { get; private set; }

    /// <summary>Completes once when the session has ended; never faults.</summary>
    public Task<MoqtSessionCloseInfo> Completion => _completion.Task;

    /// <summary>Cancelled when the session ends.</summary>
    public CancellationToken Aborted => _cts.Token;

    /// <summary>Free-form slot for the owner (the relay keeps its per-session state here).</summary>
    public object? Tag { get; set; }

    /// <summary>
    /// Client side: opens the control stream, sends CLIENT_SETUP and waits for SERVER_SETUP
    /// (draft-ietf-moq-transport-14 §3.3, §9.3). Call <see cref="Start"/> next.
    /// </summary>
    public static async ValueTask<MoqtSession> ConnectAsync(IMoqtTransportConnection connection, MoqtSessionOptions options, CancellationToken cancellationToken)
    {
        var requestIds = new RequestIdAccounting(MoqtSessionRole.Client, options.RequestIdWindow);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.SetupTimeout);
        var control = await connection.OpenBidirectionalStreamAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            var tokens = options.AuthorizationToken is null
                ? []
                : new[] { MoqtAuthorizationToken.UseValue(0, Encoding.UTF8.GetBytes(options.AuthorizationToken)) };
            var setup = new ClientSetupMessage
            {
                SupportedVersions = options.Versions,
                Parameters = MoqtParameters.ForSetup(path: options.Path, maxRequestId: requestIds.InitialPeerLimit, tokens: tokens),
            };

            // §9.3: CLIENT_SETUP and SERVER_SETUP have the same layout in every draft, so any codec frames them.
            var setupCodec = CodecFor(options.Versions[0]);
            new MoqtControlMessageWriter(setupCodec).Write(control.Output!, setup);
            await control.Output!.FlushAsync(timeout.Token).ConfigureAwait(false);

            var reply = await ReadSetupAsync(control.Input!, new MoqtControlMessageReader(setupCodec), timeout.Token).ConfigureAwait(false);
            if (reply is not ServerSetupMessage serverSetup)
            {
                throw MoqtProtocolException.Violation($"Expected SERVER_SETUP, got {reply.Type}.");
            }

            if (!options.Versions.Contains(serverSetup.SelectedVersion))
            {
                throw new MoqtProtocolException(MoqtSessionErrorCode.VersionNegotiationFailed, $"Server selected version 0x{(ulong)serverSetup.SelectedVersion:x}, which was not offered.");
            }

            requestIds.SetLocalLimit(serverSetup.Parameters.TryGetVarint((ulong)MoqtSetupParameterKey.MaxRequestId, out var max) ? max : 0);
            return new MoqtSession(connection, control, MoqtSessionRole.Client, options, CodecFor(serverSetup.SelectedVersion), requestIds, serverSetup.Parameters);
        }
        catch (Exception ex)
        {
            // The server refuses SETUP by closing the connection with its code (UNAUTHORIZED, VERSION_NEGOTIATION_FAILED);
            // the control stream's end or a stream error can reach us before that close does. Report the peer's
            // code instead of closing first with our own PROTOCOL_VIOLATION.
            if (await PeerRefusalAsync(connection, ex, options.SetupTimeout).ConfigureAwait(false) is { } refusal)
            {
                await FailSetupAsync(connection, control, refusal).ConfigureAwait(false);
                throw refusal;
            }

            await FailSetupAsync(connection, control, ex).ConfigureAwait(false);
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException("SERVER_SETUP did not arrive in time.", ex);
            }

            throw;
        }
    }

    /// <summary>
    /// Server side: takes the client's control stream and CLIENT_SETUP, picks a version, lets
    /// <paramref name="authorize"/> accept or refuse the presented token, and answers SERVER_SETUP.
    /// On any failure the connection is closed with the draft's code and the exception is rethrown.
    /// Call <see cref="Start"/> next.
    /// </summary>
    public static async ValueTask<MoqtSession> AcceptAsync(
        IMoqtTransportConnection connection,
        MoqtSessionOptions options,
        Func<string?, (MoqtSessionErrorCode Code, string Reason)> authorize,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.SetupTimeout);
        IMoqtStream? control = null;
        try
        {
            control = await connection.AcceptStreamAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new MoqtTransportClosedException(new MoqtTransportCloseInfo(0, "closed before SETUP", false));

            // §3.3: the client opens the control stream as its first bidirectional stream.
            if (!control.IsBidirectional)
            {
                throw MoqtProtocolException.Violation("The first stream must be the bidirectional control stream.");
            }

            var setupCodec = CodecFor(options.Versions[0]);
            var first = await ReadSetupAsync(control.Input!, new MoqtControlMessageReader(setupCodec), timeout.Token).ConfigureAwait(false);

            // §9.3: the first control message from a client is CLIENT_SETUP; anything else is a PROTOCOL_VIOLATION.
            if (first is not ClientSetupMessage clientSetup)
            {
                throw MoqtProtocolException.Violation($"Expected CLIENT_SETUP, got {first.Type}.");
            }

            // §9.3.1: the server picks one of the client's versions or closes with VERSION_NEGOTIATION_FAILED.
            var version = options.Versions.FirstOrDefault(clientSetup.SupportedVersions.Contains);
            if (version == 0)
            {
                throw new MoqtProtocolException(MoqtSessionErrorCode.VersionNegotiationFailed, "No offered MoQT version is supported.");
            }

            var token = TokenFrom(clientSetup.Parameters) ?? connection.Info.AuthorizationToken;
            var (code, reason) = authorize(token);
            if (code != MoqtSessionErrorCode.NoError)
            {
                throw new MoqtProtocolException(code, reason);
            }

            var requestIds = new RequestIdAccounting(MoqtSessionRole.Server, options.RequestIdWindow);
            requestIds.SetLocalLimit(clientSetup.Parameters.TryGetVarint((ulong)MoqtSetupParameterKey.MaxRequestId, out var max) ? max : 0);
            var codec = CodecFor(version);
            new MoqtControlMessageWriter(codec).Write(control.Output!, new ServerSetupMessage
            {
                SelectedVersion = version,
                Parameters = MoqtParameters.ForSetup(maxRequestId: requestIds.InitialPeerLimit),
            });
            await control.Output!.FlushAsync(timeout.Token).ConfigureAwait(false);
            return new MoqtSession(connection, control, MoqtSessionRole.Server, options, codec, requestIds, clientSetup.Parameters)
            {
                PresentedToken = token,
            };
        }
        catch (Exception ex)
        {
            await FailSetupAsync(connection, control, ex is OperationCanceledException && !cancellationToken.IsCancellationRequested
                ? new MoqtProtocolException(MoqtSessionErrorCode.ControlMessageTimeout, "CLIENT_SETUP did not arrive in time.")
                : ex).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts the control, stream-accept, datagram and watchdog loops with <paramref name="handler"/> serving the peer's requests.</summary>
    public void Start(MoqtSessionHandler handler)
    {
        _handler = handler;
        _ = RunGuardedAsync(ControlLoopAsync);
        _ = RunGuardedAsync(AcceptLoopAsync);
        if (_connection.SupportsDatagrams)
        {
            _ = RunGuardedAsync(DatagramLoopAsync);
        }

        _watchdog.Start();
        _ = WatchTransportAsync();
    }

    /// <summary>Sends one control message; serialised with every other send. Throws <see cref="MoqtSessionClosedException"/> once closed.</summary>
    public async ValueTask SendAsync(MoqtControlMessage message)
    {
        ThrowIfClosed();
        await _sendGate.WaitAsync(_cts.Token).ConfigureAwait(false);
        try
        {
            _writer.Write(_controlOutput, message);
            await _controlOutput.FlushAsync(_cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            throw new MoqtSessionClosedException(_completion.Task.IsCompleted ? _completion.Task.Result : new MoqtSessionCloseInfo(MoqtSessionErrorCode.NoError, "closed", true));
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Sends GOAWAY (draft-ietf-moq-transport-14 §9.4): the peer should move to <paramref name="newSessionUri"/> (empty: reconnect to the same place).</summary>
    public ValueTask SendGoAwayAsync(string newSessionUri = "") => SendAsync(new GoAwayMessage { NewSessionUri = newSessionUri });

    /// <summary>Closes the session with <paramref name="code"/>; idempotent. Every pending request fails and every flow ends.</summary>
    public ValueTask CloseAsync(MoqtSessionErrorCode code, string reason) => TerminateAsync(new MoqtSessionCloseInfo(code, reason, true));

    public ValueTask DisposeAsync() => CloseAsync(MoqtSessionErrorCode.NoError, "disposed");

    private static IMoqtWireCodec CodecFor(MoqtVersion version) => version switch
    {
        MoqtVersion.Draft14 => Draft14Codec.Instance,
        _ => throw new MoqtProtocolException(MoqtSessionErrorCode.VersionNegotiationFailed, $"Version 0x{(ulong)version:x} has no codec."),
    };

    private static string? TokenFrom(MoqtParameters parameters)
    {
        foreach (var token in parameters.GetAuthorizationTokens())
        {
            if (token.AliasType is MoqtTokenAliasType.UseValue or MoqtTokenAliasType.Register)
            {
                return Encoding.UTF8.GetString(token.Value.Span);
            }
        }

        return null;
    }

    private static async ValueTask<MoqtControlMessage> ReadSetupAsync(PipeReader input, MoqtControlMessageReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (reader.TryRead(ref buffer, out var message))
            {
                input.AdvanceTo(buffer.Start);
                return message;
            }

            if (result.IsCompleted)
            {
                throw MoqtProtocolException.Violation("The control stream ended before SETUP completed.");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static async ValueTask FailSetupAsync(IMoqtTransportConnection connection, IMoqtStream? control, Exception ex)
    {
        var code = ex switch
        {
            MoqtProtocolException p => p.Code,
            MoqtTransportException => MoqtSessionErrorCode.InternalError,
            _ => MoqtSessionErrorCode.InternalError,
        };
        try
        {
            // Close first: disposing the control stream first sends its FIN, which the peer could read (and act on)
            // before the close that carries the code.
            await connection.CloseAsync((long)code, ex.Message, CancellationToken.None).ConfigureAwait(false);
            if (control is not null)
            {
                await control.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // The transport is going away anyway; nothing more to tell the peer.
        }
    }

    /// <summary>
    /// When SETUP failed because the control stream ended or the transport failed, waits briefly for the
    /// connection's close and returns the peer's code as the failure (draft-ietf-moq-transport-14 §3.4: a refused
    /// SETUP is a session close with the server's code). Null when the peer did not close the connection.
    /// </summary>
    private static async ValueTask<MoqtProtocolException?> PeerRefusalAsync(IMoqtTransportConnection connection, Exception ex, TimeSpan wait)
    {
        if (ex is not (MoqtTransportException or MoqtProtocolException { Code: MoqtSessionErrorCode.ProtocolViolation }))
        {
            return null;
        }

        MoqtTransportCloseInfo info;
        try
        {
            info = await connection.Closed.WaitAsync(wait < PeerCloseWait ? wait : PeerCloseWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }

        return info.IsLocal || info.IsTransportError
            ? null
            : new MoqtProtocolException((MoqtSessionErrorCode)info.ErrorCode, $"The server closed the session during SETUP: {info.Reason}");
    }

    private async Task RunGuardedAsync(Func<Task> loop)
    {
        try
        {
            await loop().ConfigureAwait(false);
        }
        catch (MoqtProtocolException ex)
        {
            await TerminateAsync(new MoqtSessionCloseInfo(ex.Code, ex.Message, true)).ConfigureAwait(false);
        }
        catch (Exception) when (_cts.IsCancellationRequested)
        {
            // Shutting down: loops end by cancellation or a closed transport.
        }
        catch (MoqtTransportClosedException ex)
        {
            await TerminateAsync(FromTransportClose(ex.CloseInfo)).ConfigureAwait(false);
        }
        catch (MoqtTransportException ex)
        {
            await TerminateAsync(new MoqtSessionCloseInfo(MoqtSessionErrorCode.InternalError, ex.Message, false)).ConfigureAwait(false);
        }
        catch (MoqtSessionClosedException)
        {
            // Already closed elsewhere.
        }
        catch (Exception ex)
        {
            await TerminateAsync(new MoqtSessionCloseInfo(MoqtSessionErrorCode.InternalError, ex.GetType().Name + ": " + ex.Message, true)).ConfigureAwait(false);
        }
    }

    private async Task WatchTransportAsync()
    {
        var info = await _connection.Closed.ConfigureAwait(false);
        await TerminateAsync(FromTransportClose(info)).ConfigureAwait(false);
    }

    private static MoqtSessionCloseInfo FromTransportClose(MoqtTransportCloseInfo info)
    {
        // draft-ietf-moq-transport-14 §3.4: the session's termination code is the transport's application close code.
        var code = !info.IsTransportError && Enum.IsDefined(typeof(MoqtSessionErrorCode), (ulong)info.ErrorCode)
            ? (MoqtSessionErrorCode)(ulong)info.ErrorCode
            : MoqtSessionErrorCode.InternalError;
        return new MoqtSessionCloseInfo(code, info.Reason, info.IsLocal);
    }

    private async ValueTask TerminateAsync(MoqtSessionCloseInfo info)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        await _cts.CancelAsync().ConfigureAwait(false);
        _watchdog.Dispose();
        try
        {
            await _connection.CloseAsync((long)info.Code, info.Reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A transport that fails to close is closed enough.
        }

        var closed = new MoqtSessionClosedException(info);
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(closed);

            // A requester may have stopped waiting (cancelled, gave up): mark the fault observed so an
            // abandoned request never surfaces as an unobserved task exception. Awaiters still see it.
            _ = pending.Task.Exception;
        }

        _pending.Clear();
        foreach (var sub in _incomingByRequest.Values)
        {
            sub.End(MoqtPublishDoneCode.InternalError, info.Reason, sessionClosed: true);
        }

        _incomingByRequest.Clear();
        _incomingByAlias.Clear();
        foreach (var writer in _outgoingByRequest.Values)
        {
            writer.Stop();
        }

        _outgoingByRequest.Clear();
        foreach (var fetch in _fetches.Values)
        {
            fetch.Fail(closed);
        }

        _completion.TrySetResult(info);
        try
        {
            _handler.OnClosed(this, info);
        }
        catch (Exception)
        {
            // A handler's failure in its own cleanup must not escape the session.
        }
    }

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closing) != 0)
        {
            throw new MoqtSessionClosedException(_completion.Task.IsCompleted ? _completion.Task.Result : new MoqtSessionCloseInfo(MoqtSessionErrorCode.NoError, "closing", true));
        }
    }

    private void SignalAliasesChanged()
    {
        var previous = Interlocked.Exchange(ref _aliasesChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    private ulong NextTrackAlias() => (ulong)Interlocked.Increment(ref _nextTrackAlias);
}
