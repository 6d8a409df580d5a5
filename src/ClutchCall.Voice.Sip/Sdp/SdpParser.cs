using System.Globalization;

namespace ClutchCall.Voice.Sip.Sdp;

/// <summary>Parses SDP (RFC 8866 §5). Returns false with a reason on malformed input; never throws.</summary>
internal static class SdpParser
{
    /// <summary>Largest SDP body accepted.</summary>
    public const int MaxLength = 16 * 1024;

    public static bool TryParse(ReadOnlySpan<byte> body, out SdpSession? session, out string? error)
    {
        session = null;
        if (body.Length > MaxLength)
        {
            error = "SDP too large";
            return false;
        }

        return TryParse(System.Text.Encoding.UTF8.GetString(body), out session, out error);
    }

    public static bool TryParse(string text, out SdpSession? session, out string? error)
    {
        session = null;
        error = null;
        var s = new SdpSession();
        SdpMedia? media = null;
        var sawVersion = false;
        var sawOrigin = false;
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }

            // RFC 8866 §5: <type>=<value>, type a single letter, no whitespace around "=".
            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetterLower(line[0]))
            {
                error = $"line {lineNo}: not <type>=<value>";
                return false;
            }

            var value = line[2..];
            switch (line[0])
            {
                case 'v':
                    if (value != "0" || sawVersion)
                    {
                        error = "v= must be 0 and appear once";
                        return false;
                    }

                    sawVersion = true;
                    break;
                case 'o':
                    // RFC 8866 §5.2: o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
                    var o = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (o.Length != 6 || !ulong.TryParse(o[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                        || !ulong.TryParse(o[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ver))
                    {
                        error = "malformed o=";
                        return false;
                    }

                    (s.OriginUser, s.SessionId, s.SessionVersion, s.OriginAddress) = (o[0], id, ver, o[5]);
                    sawOrigin = true;
                    break;
                case 's':
                    s.SessionName = value;
                    break;
                case 'c':
                    // RFC 8866 §5.7: c=<nettype> <addrtype> <connection-address>
                    var c = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (c.Length != 3 || c[0] != "IN" || c[1] is not ("IP4" or "IP6"))
                    {
                        error = "malformed c=";
                        return false;
                    }

                    var addr = c[2].Split('/')[0];
                    if (media is null)
                    {
                        s.ConnectionAddress = addr;
                    }
                    else
                    {
                        media.ConnectionAddress = addr;
                    }

                    break;
                case 'm':
                    // RFC 8866 §5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
                    var m = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var portText = m.Length > 1 ? m[1].Split('/')[0] : string.Empty;
                    if (m.Length < 4 || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                    {
                        error = "malformed m=";
                        return false;
                    }

                    media = new SdpMedia { Type = m[0], Port = port, Protocol = m[2] };
                    media.Formats.AddRange(m[3..]);
                    s.Media.Add(media);
                    break;
                case 'a':
                    var colon = value.IndexOf(':', StringComparison.Ordinal);
                    var attr = colon < 0 ? new KeyValuePair<string, string?>(value, null) : new(value[..colon], value[(colon + 1)..]);
                    if (attr.Key.Length == 0)
                    {
                        error = "empty attribute name";
                        return false;
                    }

                    if (attr.Key == "rtpmap" && (attr.Value is null || !SdpMedia.TryParseRtpMap(attr.Value, out _)))
                    {
                        error = "malformed rtpmap";
                        return false;
                    }

                    (media?.Attributes ?? s.Attributes).Add(attr);
                    break;
                default:
                    // t=, b=, i=, u=, e=, p=, r=, z=, k= carry nothing the bridge uses.
                    break;
            }
        }

        if (!sawVersion || !sawOrigin)
        {
            error = "missing v= or o=";
            return false;
        }

        // RFC 8866 §6.7: a session-level direction applies to media sections that name none.
        var sessionDirection = SdpDirection.SendRecv;
        foreach (var a in s.Attributes)
        {
            sessionDirection = a.Key switch
            {
                "sendonly" => SdpDirection.SendOnly,
                "recvonly" => SdpDirection.RecvOnly,
                "inactive" => SdpDirection.Inactive,
                _ => sessionDirection,
            };
        }

        foreach (var m in s.Media)
        {
            m.DefaultDirection = sessionDirection;
        }

        session = s;
        return true;
    }
}
