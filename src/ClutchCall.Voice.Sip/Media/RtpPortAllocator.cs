using System.Net;
using System.Net.Sockets;

namespace ClutchCall.Voice.Sip.Media;

/// <summary>
/// Hands out RTP/RTCP socket pairs from a configured port range: RTP on an even port, RTCP on the next
/// (RFC 3550 §11). Ports in use by anything else are skipped.
/// </summary>
internal sealed class RtpPortAllocator
{
    private readonly IPAddress _bind;
    private readonly int _min;
    private readonly int _max;
    private readonly Lock _gate = new();
    private int _next;

    public RtpPortAllocator(IPAddress bind, int minPort, int maxPort)
    {
        if (minPort < 1024 || maxPort > 65534 || maxPort < minPort + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minPort), $"RTP port range {minPort}-{maxPort} is invalid: it needs at least one even/odd pair within 1024-65535.");
        }

        _bind = bind;
        _min = minPort + (minPort & 1);
        _max = maxPort;
        _next = _min;
    }

    /// <summary>Call capacity of the range (one pair per call).</summary>
    public int Capacity => (_max - _min + 1) / 2;

    /// <summary>Binds the next free pair, or throws when the whole range is busy.</summary>
    public (Socket Rtp, Socket Rtcp) Allocate()
    {
        lock (_gate)
        {
            for (var attempt = 0; attempt < Capacity; attempt++)
            {
                var port = _next;
                _next += 2;
                if (_next + 1 > _max)
                {
                    _next = _min;
                }

                var rtp = TryBind(port);
                if (rtp is null)
                {
                    continue;
                }

                var rtcp = TryBind(port + 1);
                if (rtcp is null)
                {
                    rtp.Dispose();
                    continue;
                }

                return (rtp, rtcp);
            }
        }

        throw new InvalidOperationException($"no free RTP port pair in {_min}-{_max}");
    }

    private Socket? TryBind(int port)
    {
        var s = new Socket(_bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            s.Bind(new IPEndPoint(_bind, port));
            return s;
        }
        catch (SocketException)
        {
            s.Dispose();
            return null;
        }
    }
}
