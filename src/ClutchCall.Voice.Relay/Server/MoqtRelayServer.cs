using System.Collections.Concurrent;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Relay.Access;
using ClutchCall.Voice.Relay.Fanout;

namespace ClutchCall.Voice.Relay.Server;

/// <summary>
/// A MoQT relay: accepts sessions from any number of transport listeners (or single connections handed
/// in by a host), authorises each SETUP, and connects publishers to subscribers through the shared track
/// registry. One bad session never affects another. Disposal drains with GOAWAY first.
/// </summary>
internal sealed class MoqtRelayServer : IAsyncDisposable
{
    private readonly IRelayAuthorizer _authorizer;
    private readonly ConcurrentDictionary<RelaySession, byte> _sessions = new();
    private readonly ConcurrentDictionary<IMoqtTransportListener, Task> _listeners = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    public MoqtRelayServer(MoqtRelayOptions? options = null, IRelayAuthorizer? authorizer = null, TimeProvider? time = null)
    {
        Options = options ?? new MoqtRelayOptions();
        Time = time ?? Options.Session.Time;
        _authorizer = authorizer ?? AllowAllRelayAuthorizer.Instance;
        Tracks = new RelayTrackRegistry(Options.Delivery, Time);
    }

    public MoqtRelayOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>The relay's tracks.</summary>
    public RelayTrackRegistry Tracks { get; }

    /// <summary>Pool every ingested object comes from.</summary>
    public RelayObjectPool ObjectPool { get; } = new();

    /// <summary>Sessions open now.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Sessions refused or failed during SETUP.</summary>
    public long SetupFailures => Interlocked.Read(ref _setupFailures);

    private long _setupFailures;

    /// <summary>Serves every connection <paramref name="listener"/> yields until the relay stops; the relay disposes it.</summary>
    public void AddListener(IMoqtTransportListener listener)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _listeners[listener] = AcceptLoopAsync(listener);
    }

    /// <summary>
    /// Runs SETUP on one connection and, when it succeeds, serves it. Returns the session, or null when SETUP
    /// failed (the connection is then closed with the draft's code). Never throws for a bad peer.
    /// </summary>
    public async Task<MoqtSession?> AcceptConnectionAsync(IMoqtTransportConnection connection, CancellationToken cancellationToken = default)
    {
        if (_stopping.IsCancellationRequested || _sessions.Count >= Options.MaxSessions)
        {
            await CloseQuietlyAsync(connection, MoqtSessionErrorCode.TooManyRequests, "relay is full or stopping").ConfigureAwait(false);
            return null;
        }

        IRelayPermissions permissions = AllowAllRelayAuthorizer.Instance;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            var session = await MoqtSession.AcceptAsync(connection, Options.Session, token =>
            {
                if (_authorizer.TryAuthorize(token, Time.GetUtcNow(), out var granted, out var code, out var error))
                {
                    permissions = granted;
                    return (MoqtSessionErrorCode.NoError, string.Empty);
                }

                return (code, error);
            }, linked.Token).ConfigureAwait(false);

            var relaySession = new RelaySession(this, session, permissions);
            session.Tag = relaySession;
            _sessions[relaySession] = 0;
            session.Start(relaySession);
            return session;
        }
        catch (Exception)
        {
            // MoqtSession.AcceptAsync already closed the connection with the right code.
            Interlocked.Increment(ref _setupFailures);
            return null;
        }
    }

    /// <summary>
    /// Sends GOAWAY to every open session without closing anything (draft-ietf-moq-transport-14 §9.4): clients
    /// move to a new session (here or at <see cref="MoqtRelayOptions.GoAwayUri"/>) in their own time.
    /// </summary>
    public async ValueTask GoAwayAsync()
    {
        foreach (var s in _sessions.Keys.ToArray())
        {
            try
            {
                await s.Session.SendGoAwayAsync(Options.GoAwayUri).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Already gone.
            }
        }
    }

    /// <summary>
    /// Graceful drain: stop accepting, send GOAWAY to every session (draft-ietf-moq-transport-14 §9.4), wait up
    /// to <paramref name="drain"/> for clients to leave, then close the rest and end every track.
    /// </summary>
    public async ValueTask ShutdownAsync(TimeSpan drain)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners.Keys)
        {
            try
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Closing a listener that already failed is fine.
            }
        }

        var sessions = _sessions.Keys.ToArray();
        await GoAwayAsync().ConfigureAwait(false);

        if (drain > TimeSpan.Zero && sessions.Length > 0)
        {
            var all = Task.WhenAll(sessions.Select(s => s.Session.Completion));
            try
            {
                await all.WaitAsync(drain, Time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Stragglers are closed below.
            }
        }

        foreach (var s in _sessions.Keys.ToArray())
        {
            await s.Session.CloseAsync(MoqtSessionErrorCode.GoawayTimeout, "relay shut down").ConfigureAwait(false);
        }

        Tracks.CloseAll(TrackEndReason.GoingAway);
        await Task.WhenAll(_listeners.Values).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ShutdownAsync(Options.DrainTimeout);

    internal void OnSessionClosed(RelaySession session) => _sessions.TryRemove(session, out _);

    internal void NotifyNamespace(TrackNamespace ns, RelaySession publisher)
    {
        foreach (var s in _sessions.Keys)
        {
            if (!ReferenceEquals(s, publisher))
            {
                s.OnNamespacePublished(ns);
            }
        }
    }

    private async Task AcceptLoopAsync(IMoqtTransportListener listener)
    {
        await Task.Yield();
        while (!_stopping.IsCancellationRequested)
        {
            IMoqtTransportConnection connection;
            try
            {
                connection = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Disposed listener or shutdown: the loop ends.
                return;
            }

            _ = AcceptConnectionAsync(connection);
        }
    }

    private static async Task CloseQuietlyAsync(IMoqtTransportConnection connection, MoqtSessionErrorCode code, string reason)
    {
        try
        {
            await connection.CloseAsync((long)code, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Nothing more to do for a connection we refuse.
        }
    }
}
