using System.Buffers;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>An extended CONNECT request as the server reads it (RFC 9220 §3, draft-ietf-webtrans-http3-02 §3.2).</summary>
internal sealed record WebTransportRequest(
    string? Method,
    string? Scheme,
    string? Authority,
    string? Path,
    string? Protocol,
    string? Origin,
    IReadOnlyList<string> AvailableProtocols);

/// <summary>Builds and reads the CONNECT request and its response with the static-table-only QPACK codec.</summary>
internal static class WebTransportHeaders
{
    // RFC 9204 Appendix A static table indices.
    private const int AuthorityIndex = 0;
    private const int PathIndex = 1;
    private const int MethodConnectIndex = 15;
    private const int SchemeHttpsIndex = 23;
    private const int Status103Index = 24;
    private const int Status200Index = 25;
    private const int Status404Index = 27;
    private const int OriginIndex = 90;

    public const string ProtocolHeader = ":protocol";
    public const string WebTransportProtocol = "webtransport";
    public const string Draft02RequestHeader = "sec-webtransport-http3-draft02";
    public const string DraftResponseHeader = "sec-webtransport-http3-draft";
    public const string AvailableProtocolsHeader = "wt-available-protocols";
    public const string SelectedProtocolHeader = "wt-protocol";

    /// <summary>Interprets a decoded header block as a request. Unknown fields are ignored.</summary>
    public static WebTransportRequest ReadRequest(List<QpackField> fields)
    {
        string? method = null, scheme = null, authority = null, path = null, protocol = null, origin = null;
        var available = new List<string>();
        foreach (var (name, value) in fields)
        {
            switch (name)
            {
                case ":method": method = value; break;
                case ":scheme": scheme = value; break;
                case ":authority": authority = value; break;
                case ":path": path = value; break;
                case ProtocolHeader: protocol = value; break;
                case "origin": origin = value; break;
                case AvailableProtocolsHeader:
                    // RFC 8941 §4.2: a malformed list is ignored as a whole.
                    var parsed = new List<string>();
                    if (StructuredFieldStrings.TryParseList(value, parsed))
                    {
                        available.AddRange(parsed);
                    }

                    break;
            }
        }

        return new WebTransportRequest(method, scheme, authority, path, protocol, origin, available);
    }

    /// <summary>Writes the CONNECT request's header block (the HEADERS frame payload).</summary>
    public static void WriteRequest(IBufferWriter<byte> writer, string authority, string pathAndQuery, string? origin, IReadOnlyList<string> protocols)
    {
        QpackHeaderCodec.WritePrefix(writer);
        QpackHeaderCodec.WriteIndexedStatic(writer, MethodConnectIndex);
        QpackHeaderCodec.WriteIndexedStatic(writer, SchemeHttpsIndex);
        QpackHeaderCodec.WriteLiteralWithStaticName(writer, AuthorityIndex, authority);
        QpackHeaderCodec.WriteLiteralWithStaticName(writer, PathIndex, pathAndQuery);
        QpackHeaderCodec.WriteLiteral(writer, ProtocolHeader, WebTransportProtocol);
        QpackHeaderCodec.WriteLiteral(writer, Draft02RequestHeader, "1");
        if (origin is not null)
        {
            QpackHeaderCodec.WriteLiteralWithStaticName(writer, OriginIndex, origin);
        }

        if (protocols.Count > 0)
        {
            QpackHeaderCodec.WriteLiteral(writer, AvailableProtocolsHeader, StructuredFieldStrings.QuoteList(protocols));
        }
    }

    /// <summary>Writes a response header block: <c>:status</c>, plus the draft and selected protocol on success.</summary>
    public static void WriteResponse(IBufferWriter<byte> writer, int status, string? selectedProtocol)
    {
        QpackHeaderCodec.WritePrefix(writer);
        switch (status)
        {
            case 200: QpackHeaderCodec.WriteIndexedStatic(writer, Status200Index); break;
            case 404: QpackHeaderCodec.WriteIndexedStatic(writer, Status404Index); break;
            default: QpackHeaderCodec.WriteLiteralWithStaticName(writer, Status103Index, status.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
        }

        if (status is >= 200 and < 300)
        {
            QpackHeaderCodec.WriteLiteral(writer, DraftResponseHeader, "draft02");
            if (selectedProtocol is not null)
            {
                QpackHeaderCodec.WriteLiteral(writer, SelectedProtocolHeader, StructuredFieldStrings.Quote(selectedProtocol));
            }
        }
    }

    /// <summary>Reads the <c>:status</c> and <c>wt-protocol</c> of a response block; status 0 when absent or not a number.</summary>
    public static (int Status, string? SelectedProtocol) ReadResponse(List<QpackField> fields)
    {
        var status = 0;
        string? selected = null;
        foreach (var (name, value) in fields)
        {
            if (name == ":status" && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                status = parsed;
            }
            else if (name == SelectedProtocolHeader && StructuredFieldStrings.TryParseItem(value, out var protocol))
            {
                selected = protocol;
            }
        }

        return (status, selected);
    }
}
