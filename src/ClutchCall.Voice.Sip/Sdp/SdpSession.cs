using System.Globalization;
using System.Text;

namespace ClutchCall.Voice.Sip.Sdp;

/// <summary>Media direction attributes (RFC 4566 §6, RFC 3264 §5.1).</summary>
internal enum SdpDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>a=rtpmap:&lt;payload type&gt; &lt;encoding name&gt;/&lt;clock rate&gt;[/&lt;channels&gt;] (RFC 4566 §6).</summary>
internal readonly record struct SdpRtpMap(int PayloadType, string Encoding, int ClockRate, int Channels)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {Encoding}/{ClockRate}") + (Channels > 1 ? "/" + Channels.ToString(CultureInfo.InvariantCulture) : string.Empty);
}

/// <summary>One m= section (RFC 4566 §5.14) with its attributes.</summary>
internal sealed class SdpMedia
{
    public string Type { get; set; } = "audio";

    public int Port { get; set; }

    public string Protocol { get; set; } = "RTP/AVP";

    /// <summary>Format list as offered; for RTP these are payload type numbers.</summary>
    public List<string> Formats { get; } = [];

    /// <summary>Media-level c= address, or null to use the session's.</summary>
    public string? ConnectionAddress { get; set; }

    public List<KeyValuePair<string, string?>> Attributes { get; } = [];

    public SdpDirection Direction
    {
        get
        {
            foreach (var a in Attributes)
            {
                switch (a.Key)
                {
                    case "sendonly": return SdpDirection.SendOnly;
                    case "recvonly": return SdpDirection.RecvOnly;
                    case "inactive": return SdpDirection.Inactive;
                    case "sendrecv": return SdpDirection.SendRecv;
                }
            }

            return DefaultDirection;
        }

        set
        {
            Attributes.RemoveAll(a => a.Key is "sendonly" or "recvonly" or "inactive" or "sendrecv");
            Attributes.Add(new(value.ToString().ToLowerInvariant(), null));
        }
    }

    /// <summary>The session-level direction, used when the media section names none (RFC 4566 §6).</summary>
    internal SdpDirection DefaultDirection { get; set; } = SdpDirection.SendRecv;

    public IEnumerable<int> PayloadTypes
    {
        get
        {
            foreach (var f in Formats)
            {
                if (int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) && pt <= 127)
                {
                    yield return pt;
                }
            }
        }
    }

    public string? GetAttribute(string name)
    {
        foreach (var a in Attributes)
        {
            if (a.Key == name)
            {
                return a.Value ?? string.Empty;
            }
        }

        return null;
    }

    /// <summary>The rtpmap for a payload type, including RFC 3551 static types when none is given.</summary>
    public SdpRtpMap? GetRtpMap(int payloadType)
    {
        foreach (var a in Attributes)
        {
            if (a.Key == "rtpmap" && a.Value is { } v && TryParseRtpMap(v, out var map) && map.PayloadType == payloadType)
            {
                return map;
            }
        }

        // RFC 3551 §6 table 4: static audio payload types.
        return payloadType switch
        {
            0 => new SdpRtpMap(0, "PCMU", 8000, 1),
            8 => new SdpRtpMap(8, "PCMA", 8000, 1),
            9 => new SdpRtpMap(9, "G722", 8000, 1),
            18 => new SdpRtpMap(18, "G729", 8000, 1),
            _ => null,
        };
    }

    public string? GetFmtp(int payloadType)
    {
        var prefix = payloadType.ToString(CultureInfo.InvariantCulture) + " ";
        foreach (var a in Attributes)
        {
            if (a.Key == "fmtp" && a.Value is { } v && v.StartsWith(prefix, StringComparison.Ordinal))
            {
                return v[prefix.Length..].Trim();
            }
        }

        return null;
    }

    /// <summary>a=ptime in milliseconds, or null.</summary>
    public int? Ptime => int.TryParse(GetAttribute("ptime"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    public int? MaxPtime => int.TryParse(GetAttribute("maxptime"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    /// <summary>RFC 3605 a=rtcp port, or null.</summary>
    public int? RtcpPort
    {
        get
        {
            var v = GetAttribute("rtcp");
            if (v is null)
            {
                return null;
            }

            var sp = v.IndexOf(' ', StringComparison.Ordinal);
            return int.TryParse(sp < 0 ? v : v[..sp], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;
        }
    }

    public static bool TryParseRtpMap(string value, out SdpRtpMap map)
    {
        map = default;
        var sp = value.IndexOf(' ', StringComparison.Ordinal);
        if (sp <= 0 || !int.TryParse(value.AsSpan(0, sp), NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127)
        {
            return false;
        }

        var parts = value[(sp + 1)..].Trim().Split('/');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var clock) || clock <= 0)
        {
            return false;
        }

        var channels = 1;
        if (parts.Length == 3 && (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out channels) || channels is < 1 or > 255))
        {
            return false;
        }

        map = new SdpRtpMap(pt, parts[0], clock, channels);
        return true;
    }
}

/// <summary>An SDP session description (RFC 8866, formerly RFC 4566).</summary>
internal sealed class SdpSession
{
    public string OriginUser { get; set; } = "-";

    public ulong SessionId { get; set; }

    public ulong SessionVersion { get; set; }

    public string OriginAddress { get; set; } = "127.0.0.1";

    public string SessionName { get; set; } = "-";

    /// <summary>Session-level c= address, or null.</summary>
    public string? ConnectionAddress { get; set; }

    public List<KeyValuePair<string, string?>> Attributes { get; } = [];

    public List<SdpMedia> Media { get; } = [];

    /// <summary>The address RTP for a media section goes to (media c= overrides session c=, RFC 8866 §5.7).</summary>
    public string? AddressOf(SdpMedia media) => media.ConnectionAddress ?? ConnectionAddress;

    /// <summary>
    /// True when the media is put on hold: sendonly/inactive (RFC 3264 §8.4), or the RFC 2543 style
    /// c=0.0.0.0 that older peers still send.
    /// </summary>
    public bool IsHold(SdpMedia media) =>
        media.Direction is SdpDirection.SendOnly or SdpDirection.Inactive || AddressOf(media) == "0.0.0.0";

    public override string ToString()
    {
        // RFC 8866 §5: fields in the order v o s c t a, then m sections; lines end in CRLF.
        var sb = new StringBuilder();
        sb.Append("v=0\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"o={OriginUser} {SessionId} {SessionVersion} IN {AddrType(OriginAddress)} {OriginAddress}\r\n");
        sb.Append("s=").Append(SessionName).Append("\r\n");
        if (ConnectionAddress is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"c=IN {AddrType(ConnectionAddress)} {ConnectionAddress}\r\n");
        }

        sb.Append("t=0 0\r\n");
        AppendAttributes(sb, Attributes);
        foreach (var m in Media)
        {
            sb.Append(CultureInfo.InvariantCulture, $"m={m.Type} {m.Port} {m.Protocol} {string.Join(' ', m.Formats)}\r\n");
            if (m.ConnectionAddress is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"c=IN {AddrType(m.ConnectionAddress)} {m.ConnectionAddress}\r\n");
            }

            AppendAttributes(sb, m.Attributes);
        }

        return sb.ToString();
    }

    private static string AddrType(string address) => address.Contains(':', StringComparison.Ordinal) ? "IP6" : "IP4";

    private static void AppendAttributes(StringBuilder sb, List<KeyValuePair<string, string?>> attributes)
    {
        foreach (var a in attributes)
        {
            sb.Append("a=").Append(a.Key);
            if (a.Value is not null)
            {
                sb.Append(':').Append(a.Value);
            }

            sb.Append("\r\n");
        }
    }
}
