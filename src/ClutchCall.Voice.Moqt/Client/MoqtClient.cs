using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Client;

/// <summary>
/// A MoQT client that stays connected: it races its endpoints (preferred first, fallbacks after a head start),
/// and when the session is lost or the relay sends GOAWAY it reconnects with jittered exponential backoff
/// and replays every publication and subscription, so audio flows again with no action from the application.
/// </summary>
internal sealed class MoqtClient : IAsyncDisposable
{
    private readonly MoqtClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<AudioTrackPublication> _publications = [];
    private readonly List<AudioTrackSubscription> _subscriptions = [];
    private readonly CancellationTokenSource _disposed = new();
    private readonly ReconnectBackoff _backoff;
    private MoqtSession? _session;
    private TaskCompletionSource _goAway = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _supervisor = Task.CompletedTask;
    private int _connects;

    private MoqtClient(MoqtClientOptions options)
    {
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("At least one endpoint is needed.", nameof(options));
        }

        _options = options with
        {
            Session = options.Session with { AuthorizationToken = options.AuthorizationToken ?? options.Session.AuthorizationToken },
            Transport = options.Transport with { AuthorizationToken = options.AuthorizationToken ?? options.Transport.AuthorizationToken },
        };
        _time = options.Time ?? options.Session.Time;
        _backoff = new ReconnectBackoff(options.InitialBackoff, options.MaxBackoff, options.Jitter, options.Random);
    }

    /// <summary>Raised on every state change (from a background thread).</summary>
    public event Action<MoqtClientState>? StateChanged;

    /// <summary>Current state.</summary>
    public MoqtClientState State { get; private set; } = MoqtClientState.Connecting;

    /// <summary>The live session, or null while reconnecting.</summary>
    public MoqtSession? Session => Volatile.Read(ref _session);

    /// <summary>Sessions set up so far (1 after the first connect, +1 per reconnect).</summary>
    public int ConnectCount => Volatile.Read(ref _connects);

    /// <summary>Transport of the live session (<c>quic</c>, <c>webtransport</c>, <c>websocket</c>, <c>memory</c>).</summary>
    public string? TransportName => Session?.Connection.TransportName;

    /// <summary>Clock the client runs on.</summary>
    internal TimeProvider Time => _time;

    /// <summary>
    /// Connects (racing the endpoints once) and starts the reconnect supervisor. Throws when no endpoint
    /// gives a session, so a wrong URL or token fails fast instead of retrying forever.
    /// </summary>
    public static async Task<MoqtClient> ConnectAsync(MoqtClientOptions options, CancellationToken cancellationToken)
    {
        var client = new MoqtClient(options);
        var session = await client.ConnectOnceAsync(cancellationToken).ConfigureAwait(false);
        client.Adopt(session);
        client.SetState(MoqtClientState.Connected);
        client._supervisor = client.SuperviseAsync();
        return client;
    }

    /// <summary>Publishes an audio track (PUBLISH); frames go out through <see cref="AudioTrackPublication.Publish"/>.</summary>
    public async ValueTask<AudioTrackPublication> PublishAudioAsync(FullTrackName track, CancellationToken cancellationToken)
    {
        var publication = new AudioTrackPublication(this, track, _time);
        if (Session is { } session)
        {
            await publication.AttachAsync(session, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            _publications.Add(publication);
        }

        publication.Start();
        return publication;
    }

    /// <summary>
    /// Subscribes to an audio track; <paramref name="onObject"/> receives each object in order (serially, on a
    /// receive thread). The subscription survives reconnects.
    /// </summary>
    public async ValueTask<AudioTrackSubscription> SubscribeAudioAsync(FullTrackName track, Action<Audio.AudioObject> onObject, CancellationToken cancellationToken)
    {
        var subscription = new AudioTrackSubscription(this, track, onObject);
        if (Session is { } session)
        {
            await subscription.AttachAsync(session, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        AudioTrackPublication[] publications;
        AudioTrackSubscription[] subscriptions;
        lock (_gate)
        {
            publications = [.. _publications];
            subscriptions = [.. _subscriptions];
        }

        foreach (var p in publications)
        {
            await p.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var s in subscriptions)
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        if (Session is { } session)
        {
            await session.CloseAsync(MoqtSessionErrorCode.NoError, "client closed").ConfigureAwait(false);
        }

        try
        {
            await _supervisor.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected on dispose.
        }

        SetState(MoqtClientState.Closed);
    }

    internal void Remove(AudioTrackPublication publication)
    {
        lock (_gate)
        {
            _publications.Remove(publication);
        }
    }

    internal void Remove(AudioTrackSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private void Adopt(MoqtSession session)
    {
        session.Start(new ClientHandler(this));
        Volatile.Write(ref _session, session);
        Interlocked.Increment(ref _connects);
    }

    private void SetState(MoqtClientState state)
    {
        State = state;
        try
        {
            StateChanged?.Invoke(state);
        }
        catch (Exception)
        {
            // An application handler's failure must not stop reconnecting.
        }
    }

    private async Task SuperviseAsync()
    {
        var token = _disposed.Token;
        while (!token.IsCancellationRequested)
        {
            var current = Session!;
            var goAway = Volatile.Read(ref _goAway).Task;
            var finished = await Task.WhenAny(current.Completion, goAway).ConfigureAwait(false);
            if (token.IsCancellationRequested)
            {
                return;
            }

            var draining = finished == goAway;
            if (draining)
            {
                Volatile.Write(ref _goAway, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }
            else
            {
                Volatile.Write(ref _session, null);
                DetachAll();
            }

            SetState(MoqtClientState.Reconnecting);
            MoqtSession? next = null;
            var immediate = draining;
            while (next is null && !token.IsCancellationRequested)
            {
                if (!immediate)
                {
                    await Task.Delay(_backoff.NextDelay(), _time, token).ConfigureAwait(false);
                }

                immediate = false;
                try
                {
                    next = await ConnectOnceAsync(token).ConfigureAwait(false);
                }
                catch (Exception) when (!token.IsCancellationRequested)
                {
                    // Try again after the next backoff step.
                }
            }

            if (next is null)
            {
                return;
            }

            _backoff.Reset();
            if (draining)
            {
                DetachAll();
            }

            Adopt(next);
            await ReplayAsync(next, token).ConfigureAwait(false);
            if (draining)
            {
                // §9.4: the old session is closed once the new one carries the flows.
                await current.CloseAsync(MoqtSessionErrorCode.NoError, "moved after GOAWAY").ConfigureAwait(false);
            }

            SetState(MoqtClientState.Connected);
        }
    }

    private void DetachAll()
    {
        lock (_gate)
        {
            foreach (var p in _publications)
            {
                p.Detach();
            }
        }
    }

    private async Task ReplayAsync(MoqtSession session, CancellationToken cancellationToken)
    {
        AudioTrackPublication[] publications;
        AudioTrackSubscription[] subscriptions;
        lock (_gate)
        {
            publications = [.. _publications];
            subscriptions = [.. _subscriptions];
        }

        foreach (var p in publications)
        {
            try
            {
                await p.AttachAsync(session, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MoqtRequestException or MoqtSessionClosedException or MoqtTransportException or TimeoutException)
            {
                p.OnReplayFailed(ex);
            }
        }

        foreach (var s in subscriptions)
        {
            try
            {
                await s.AttachAsync(session, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MoqtRequestException or MoqtSessionClosedException or MoqtTransportException or TimeoutException)
            {
                s.OnReplayFailed(ex);
            }
        }
    }

    /// <summary>
    /// One round of the endpoint race: endpoint i starts at i × head start, or as soon as every earlier one has
    /// failed; the first complete MoQT setup wins and the others are abandoned.
    /// </summary>
    private async Task<MoqtSession> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        var endpoints = _options.Endpoints;
        using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var attempts = new Task<MoqtSession>[endpoints.Count];
        var failed = new TaskCompletionSource[endpoints.Count];
        for (var i = 0; i < endpoints.Count; i++)
        {
            failed[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        for (var i = 0; i < endpoints.Count; i++)
        {
            var previousFailed = i == 0 ? Task.CompletedTask : failed[i - 1].Task;
            attempts[i] = AttemptAsync(endpoints[i], i, previousFailed, failed[i], race.Token);
        }

        var pending = attempts.ToList();
        var errors = new List<Exception>();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            if (done.IsCompletedSuccessfully)
            {
                await race.CancelAsync().ConfigureAwait(false);
                foreach (var loser in pending)
                {
                    _ = DisposeLoserAsync(loser);
                }

                return done.Result;
            }

            errors.Add(done.Exception?.InnerException ?? new OperationCanceledException());
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new AggregateException("No endpoint could be reached.", errors);
    }

    private async Task<MoqtSession> AttemptAsync(MoqtClientEndpoint endpoint, int index, Task previousFailed, TaskCompletionSource failed, CancellationToken cancellationToken)
    {
        try
        {
            if (index > 0)
            {
                var headStart = Task.Delay(_options.FallbackHeadStart * index, _time, cancellationToken);
                await Task.WhenAny(headStart, previousFailed).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Transport.ConnectTimeout);
            var connection = await endpoint.Connector.ConnectAsync(endpoint.Uri, _options.Transport, timeout.Token).ConfigureAwait(false);
            try
            {
                return await MoqtSession.ConnectAsync(connection, _options.Session, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            // Wait for the earlier endpoint before telling the next one to go, so "all earlier failed" holds.
            try
            {
                await previousFailed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The race is over.
            }

            failed.TrySetResult();
            throw;
        }
    }

    private static async Task DisposeLoserAsync(Task<MoqtSession> loser)
    {
        try
        {
            var session = await loser.ConfigureAwait(false);
            await session.CloseAsync(MoqtSessionErrorCode.NoError, "another transport won").ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A losing attempt that failed needs nothing more.
        }
    }

    private sealed class ClientHandler(MoqtClient client) : MoqtSessionHandler
    {
        public override void OnGoAway(MoqtSession session, string newSessionUri) => Volatile.Read(ref client._goAway).TrySetResult();
    }
}
