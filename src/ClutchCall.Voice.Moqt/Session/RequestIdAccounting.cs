using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>
/// Request-id bookkeeping of one session (draft-ietf-moq-transport-14 §9.1, §9.5, §9.6): this side's next id
/// and the peer's limit on it, and the id expected next from the peer and the limit granted to it. Clients use
/// even ids, servers odd, each stepping by two.
/// </summary>
internal sealed class RequestIdAccounting
{
    private readonly Lock _gate = new();
    private readonly ulong _window;
    private ulong _nextLocal;
    private ulong _localLimit;
    private ulong _nextPeer;
    private ulong _peerLimit;
    private TaskCompletionSource? _limitRaised;

    public RequestIdAccounting(MoqtSessionRole role, ulong window)
    {
        _window = window;
        _nextLocal = role == MoqtSessionRole.Client ? 0UL : 1UL;
        _nextPeer = role == MoqtSessionRole.Client ? 1UL : 0UL;
        _peerLimit = window;
    }

    /// <summary>The MAX_REQUEST_ID value first granted to the peer in SETUP.</summary>
    public ulong InitialPeerLimit => _window;

    /// <summary>Sets the limit the peer granted us in SETUP.</summary>
    public void SetLocalLimit(ulong limit)
    {
        lock (_gate)
        {
            _localLimit = limit;
        }
    }

    /// <summary>
    /// Next id for a request of ours. When the peer's limit is reached, returns false with the limit to put
    /// in REQUESTS_BLOCKED and a task that completes when MAX_REQUEST_ID raises it.
    /// </summary>
    public bool TryAllocate(out ulong requestId, out ulong blockedAt, out Task raised)
    {
        lock (_gate)
        {
            if (_nextLocal < _localLimit)
            {
                requestId = _nextLocal;
                _nextLocal += 2;
                blockedAt = 0;
                raised = Task.CompletedTask;
                return true;
            }

            requestId = 0;
            blockedAt = _localLimit;
            _limitRaised ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            raised = _limitRaised.Task;
            return false;
        }
    }

    /// <summary>§9.5 MAX_REQUEST_ID from the peer: the limit may only grow, else PROTOCOL_VIOLATION.</summary>
    public void OnMaxRequestId(ulong limit)
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (limit <= _localLimit)
            {
                throw MoqtProtocolException.Violation($"MAX_REQUEST_ID {limit} does not raise the limit {_localLimit}.");
            }

            _localLimit = limit;
            wake = _limitRaised;
            _limitRaised = null;
        }

        wake?.TrySetResult();
    }

    /// <summary>
    /// Checks a new request id from the peer (§9.1): wrong parity or not the next one → INVALID_REQUEST_ID;
    /// at or past the granted limit → TOO_MANY_REQUESTS. Returns a new limit to announce with MAX_REQUEST_ID
    /// when half the window is used, else null.
    /// </summary>
    public ulong? OnPeerRequest(ulong requestId)
    {
        lock (_gate)
        {
            if (requestId != _nextPeer)
            {
                throw new MoqtProtocolException(MoqtSessionErrorCode.InvalidRequestId, $"Request id {requestId} is not the expected {_nextPeer}.");
            }

            if (requestId >= _peerLimit)
            {
                throw new MoqtProtocolException(MoqtSessionErrorCode.TooManyRequests, $"Request id {requestId} is past the granted limit {_peerLimit}.");
            }

            _nextPeer += 2;
            if (_nextPeer + (_window / 2) > _peerLimit)
            {
                _peerLimit = _nextPeer + _window;
                return _peerLimit;
            }

            return null;
        }
    }

    /// <summary>True when <paramref name="requestId"/> is one this side has issued (a response may name it).</summary>
    public bool IsIssuedLocal(ulong requestId)
    {
        lock (_gate)
        {
            return requestId < _nextLocal && (requestId & 1) == (_nextLocal & 1);
        }
    }
}
