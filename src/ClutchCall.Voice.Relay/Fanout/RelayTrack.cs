using ClutchCall.Voice.Moqt;

namespace ClutchCall.Voice.Relay.Fanout;

/// <summary>
/// One track at the relay: at most one publisher, any number of subscriber queues, the largest
/// location seen and a bounded cache of the newest group. <see cref="Publish"/> fans a shared object
/// out to every queue by reference; subscribers attach before or after the publisher appears.
/// </summary>
internal sealed class RelayTrack
{
    private readonly Lock _gate = new();
    private readonly DeliveryProfile _profile;
    private readonly List<RelayObject> _groupCache = [];
    private SubscriberQueue[] _subscribers = [];
    private object? _publisher;
    private Location _largest;
    private bool _hasContent;

    public RelayTrack(FullTrackName name, DeliveryProfile profile)
    {
        Name = name;
        _profile = profile;
    }

    /// <summary>The track's full name.</summary>
    public FullTrackName Name { get; }

    /// <summary>Whoever publishes the track now (a session), or null while subscribers wait.</summary>
    public object? Publisher
    {
        get
        {
            lock (_gate)
            {
                return _publisher;
            }
        }
    }

    /// <summary>Publisher priority announced for the track (draft-ietf-moq-transport-14 §7).</summary>
    public byte PublisherPriority { get; set; } = 128;

    /// <summary>The attached subscriber queues (snapshot, for statistics).</summary>
    public IReadOnlyList<SubscriberQueue> Subscribers => Volatile.Read(ref _subscribers);

    /// <summary>Number of attached subscribers.</summary>
    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>True when the track has neither a publisher nor subscribers.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return _publisher is null && _subscribers.Length == 0;
            }
        }
    }

    /// <summary>The largest location published so far, if any (draft-ietf-moq-transport-14 §9.7 "Largest Location").</summary>
    public bool TryGetLargest(out Location largest)
    {
        lock (_gate)
        {
            largest = _largest;
            return _hasContent;
        }
    }

    /// <summary>Claims the track for a publisher; false when another publisher holds it.</summary>
    public bool TrySetPublisher(object publisher)
    {
        lock (_gate)
        {
            if (_publisher is not null && !ReferenceEquals(_publisher, publisher))
            {
                return false;
            }

            _publisher = publisher;
            return true;
        }
    }

    /// <summary>
    /// Makes <paramref name="publisher"/> the track's publisher, replacing any other (a publisher that
    /// reconnected takes its track over before the relay noticed the old link die).
    /// </summary>
    public void ReplacePublisher(object publisher)
    {
        lock (_gate)
        {
            _publisher = publisher;
        }
    }

    /// <summary>
    /// Lets go of the publisher. When <paramref name="trackEnded"/> the subscribers are completed with
    /// <see cref="TrackEndReason.TrackEnded"/>; otherwise (a lost link) they stay and wait for a new publisher.
    /// </summary>
    public void RemovePublisher(object publisher, bool trackEnded)
    {
        SubscriberQueue[] toEnd = [];
        lock (_gate)
        {
            if (!ReferenceEquals(_publisher, publisher))
            {
                return;
            }

            _publisher = null;
            if (trackEnded)
            {
                toEnd = _subscribers;
                _subscribers = [];
            }
        }

        foreach (var q in toEnd)
        {
            q.Complete(TrackEndReason.TrackEnded);
        }
    }

    /// <summary>
    /// Attaches a subscriber queue. Its start is set from the filter: <paramref name="nextGroup"/> starts at
    /// the next group, otherwise at the next object after the largest one (draft-ietf-moq-transport-14 §9.7
    /// filter types "Next Group Start" and "Largest Object").
    /// </summary>
    public void Attach(SubscriberQueue queue, bool nextGroup)
    {
        lock (_gate)
        {
            if (_hasContent)
            {
                var start = nextGroup ? new Location(_largest.Group + 1, 0) : new Location(_largest.Group, _largest.Object + 1);
                if (start > queue.Start)
                {
                    queue.Start = start;
                }
            }

            var next = new SubscriberQueue[_subscribers.Length + 1];
            _subscribers.CopyTo(next, 0);
            next[^1] = queue;
            Volatile.Write(ref _subscribers, next);
        }
    }

    /// <summary>Detaches a subscriber queue and completes it with <paramref name="reason"/>.</summary>
    public void Detach(SubscriberQueue queue, TrackEndReason reason)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_subscribers, queue);
            if (index >= 0)
            {
                var next = new SubscriberQueue[_subscribers.Length - 1];
                Array.Copy(_subscribers, 0, next, 0, index);
                Array.Copy(_subscribers, index + 1, next, index, _subscribers.Length - index - 1);
                Volatile.Write(ref _subscribers, next);
            }
        }

        queue.Complete(reason);
    }

    /// <summary>
    /// Fans <paramref name="obj"/> out to every subscriber. Ownership of the caller's reference passes to
    /// the track (kept in the newest-group cache or released). Returns the number of queues it reached.
    /// </summary>
    public int Publish(RelayObject obj)
    {
        var reached = 0;
        var subscribers = Volatile.Read(ref _subscribers);
        foreach (var q in subscribers)
        {
            if (q.Offer(obj))
            {
                reached++;
            }
        }

        RelayObject? toRelease = obj;
        lock (_gate)
        {
            var location = obj.Location;
            if (!_hasContent || location > _largest)
            {
                if (_hasContent && location.Group > _largest.Group)
                {
                    foreach (var old in _groupCache)
                    {
                        old.Release();
                    }

                    _groupCache.Clear();
                }

                _largest = location;
                _hasContent = true;
            }

            if (location.Group == _largest.Group && _groupCache.Count < _profile.GroupCacheCapacity)
            {
                _groupCache.Add(obj);
                toRelease = null;
            }
        }

        toRelease?.Release();
        return reached;
    }

    /// <summary>
    /// Copies references to the cached objects of the newest group within [<paramref name="start"/>,
    /// <paramref name="end"/>] into <paramref name="into"/>; each one carries a reference the caller
    /// releases. Used to answer FETCH (draft-ietf-moq-transport-14 §9.16).
    /// </summary>
    public int CopyCached(Location start, Location end, List<RelayObject> into)
    {
        var n = 0;
        lock (_gate)
        {
            foreach (var o in _groupCache)
            {
                if (o.Location >= start && o.Location <= end)
                {
                    o.AddRef();
                    into.Add(o);
                    n++;
                }
            }
        }

        return n;
    }

    /// <summary>Ends every subscriber and drops the cache (relay shutdown or registry removal).</summary>
    public void Close(TrackEndReason reason)
    {
        SubscriberQueue[] subscribers;
        lock (_gate)
        {
            subscribers = _subscribers;
            _subscribers = [];
            _publisher = null;
            foreach (var o in _groupCache)
            {
                o.Release();
            }

            _groupCache.Clear();
        }

        foreach (var q in subscribers)
        {
            q.Complete(reason);
        }
    }
}
