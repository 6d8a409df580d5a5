using System.Buffers;
using System.Collections;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>Which parameter namespace a list belongs to (draft-ietf-moq-transport-14 §9.2).</summary>
internal enum MoqtParameterSpace
{
    /// <summary>CLIENT_SETUP / SERVER_SETUP parameters (§9.3.2), constant across versions.</summary>
    Setup,

    /// <summary>Every other message (§9.2.1).</summary>
    VersionSpecific,
}

/// <summary>
/// An ordered, immutable list of message parameters (draft-ietf-moq-transport-14 §9.2). Unknown parameters are
/// kept in order so a message re-encodes byte for byte; typed accessors read the known ones.
/// </summary>
internal sealed class MoqtParameters : IReadOnlyList<MoqtParameter>, IEquatable<MoqtParameters>
{
    private readonly MoqtParameter[] _items;

    public MoqtParameters(IEnumerable<MoqtParameter> items) => _items = [.. items];

    private MoqtParameters(MoqtParameter[] items) => _items = items;

    public static MoqtParameters Empty { get; } = new([]);

    public int Count => _items.Length;

    public MoqtParameter this[int index] => _items[index];

    /// <summary>Parameters for a non-setup message (§9.2.1); null arguments are left out.</summary>
    public static MoqtParameters ForMessage(
        ulong? deliveryTimeoutMs = null,
        ulong? maxCacheDurationMs = null,
        params IEnumerable<MoqtAuthorizationToken> tokens)
    {
        var list = new List<MoqtParameter>();
        if (deliveryTimeoutMs is { } timeout)
        {
            list.Add(MoqtParameter.Varint((ulong)MoqtParameterKey.DeliveryTimeout, timeout));
        }

        foreach (var token in tokens)
        {
            list.Add(MoqtParameter.FromBytes((ulong)MoqtParameterKey.AuthorizationToken, token.ToBytes()));
        }

        if (maxCacheDurationMs is { } cache)
        {
            list.Add(MoqtParameter.Varint((ulong)MoqtParameterKey.MaxCacheDuration, cache));
        }

        return list.Count == 0 ? Empty : new MoqtParameters(list.ToArray());
    }

    /// <summary>Setup parameters (§9.3.2); null arguments are left out.</summary>
    public static MoqtParameters ForSetup(
        string? path = null,
        ulong? maxRequestId = null,
        ulong? maxAuthTokenCacheSize = null,
        string? authority = null,
        params IEnumerable<MoqtAuthorizationToken> tokens)
    {
        var list = new List<MoqtParameter>();
        if (path is not null)
        {
            list.Add(MoqtParameter.FromBytes((ulong)MoqtSetupParameterKey.Path, System.Text.Encoding.UTF8.GetBytes(path)));
        }

        if (maxRequestId is { } max)
        {
            list.Add(MoqtParameter.Varint((ulong)MoqtSetupParameterKey.MaxRequestId, max));
        }

        foreach (var token in tokens)
        {
            list.Add(MoqtParameter.FromBytes((ulong)MoqtSetupParameterKey.AuthorizationToken, token.ToBytes()));
        }

        if (maxAuthTokenCacheSize is { } cache)
        {
            list.Add(MoqtParameter.Varint((ulong)MoqtSetupParameterKey.MaxAuthTokenCacheSize, cache));
        }

        if (authority is not null)
        {
            list.Add(MoqtParameter.FromBytes((ulong)MoqtSetupParameterKey.Authority, System.Text.Encoding.UTF8.GetBytes(authority)));
        }

        return list.Count == 0 ? Empty : new MoqtParameters(list.ToArray());
    }

    public bool TryGetVarint(ulong key, out ulong value)
    {
        foreach (var p in _items)
        {
            if (p.Key == key && p.IsVarint)
            {
                value = p.Value;
                return true;
            }
        }

        value = 0;
        return false;
    }

    public bool TryGetBytes(ulong key, out ReadOnlyMemory<byte> value)
    {
        foreach (var p in _items)
        {
            if (p.Key == key && !p.IsVarint)
            {
                value = p.Bytes;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>§9.2.1.2 DELIVERY TIMEOUT in milliseconds, if present (non-setup messages).</summary>
    public ulong? DeliveryTimeoutMs => TryGetVarint((ulong)MoqtParameterKey.DeliveryTimeout, out var v) ? v : null;

    /// <summary>§9.2.1.3 MAX CACHE DURATION in milliseconds, if present (non-setup messages).</summary>
    public ulong? MaxCacheDurationMs => TryGetVarint((ulong)MoqtParameterKey.MaxCacheDuration, out var v) ? v : null;

    /// <summary>
    /// Every AUTHORIZATION TOKEN parameter (key 0x03 in both spaces), parsed. The reader has already rejected
    /// malformed ones, so this does not throw for decoded messages.
    /// </summary>
    public IReadOnlyList<MoqtAuthorizationToken> GetAuthorizationTokens()
    {
        List<MoqtAuthorizationToken>? tokens = null;
        foreach (var p in _items)
        {
            if (p.Key == (ulong)MoqtParameterKey.AuthorizationToken && MoqtAuthorizationToken.TryParse(p.Bytes.Span, out var token))
            {
                (tokens ??= []).Add(token!);
            }
        }

        return tokens is null ? [] : tokens;
    }

    /// <summary>
    /// draft-ietf-moq-transport-14 §9.2: Number of Parameters then Key-Value-Pairs. Known keys are checked:
    /// AUTHORIZATION TOKEN must hold a Token structure (else KEY_VALUE_FORMATTING_ERROR, §9.2.1.1), known
    /// non-repeatable keys must not repeat (else PROTOCOL_VIOLATION); unknown keys are kept, duplicates allowed.
    /// </summary>
    public static MoqtParameters Read(ref MoqtSpanReader reader, MoqtParameterSpace space)
    {
        var count = reader.ReadVarint("parameter count");
        if (count == 0)
        {
            return Empty;
        }

        // Each parameter takes at least two bytes, so a count past that is a lie; check before allocating.
        if (count > (ulong)reader.Remaining / 2)
        {
            throw MoqtProtocolException.Violation($"Parameter count {count} exceeds what the message holds.");
        }

        var items = new MoqtParameter[(int)count];
        var seen = 0UL;
        for (var i = 0; i < items.Length; i++)
        {
            var key = reader.ReadVarint("parameter type");
            MoqtParameter parameter;
            if ((key & 1) == 0)
            {
                parameter = MoqtParameter.Varint(key, reader.ReadVarint("parameter value"));
            }
            else
            {
                var bytes = reader.ReadLengthPrefixed("parameter value", MoqtParameter.MaxValueLength);
                parameter = MoqtParameter.FromBytes(key, bytes.ToArray());
            }

            CheckKnown(parameter, space, ref seen);
            items[i] = parameter;
        }

        return new MoqtParameters(items);
    }

    /// <summary>Writes Number of Parameters then each Key-Value-Pair (§1.4.2, §9.2).</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        writer.WriteVarint((ulong)_items.Length);
        foreach (var p in _items)
        {
            WriteKeyValuePair(writer, p);
        }
    }

    /// <summary>draft-ietf-moq-transport-14 §1.4.2: Type, [Length if odd], Value.</summary>
    public static void WriteKeyValuePair(IBufferWriter<byte> writer, in MoqtParameter p)
    {
        writer.WriteVarint(p.Key);
        if (p.IsVarint)
        {
            writer.WriteVarint(p.Value);
        }
        else
        {
            writer.WriteLengthPrefixed(p.Bytes.Span);
        }
    }

    public bool Equals(MoqtParameters? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    public override bool Equals(object? obj) => obj is MoqtParameters other && Equals(other);

    public override int GetHashCode() => _items.Length;

    public IEnumerator<MoqtParameter> GetEnumerator() => ((IEnumerable<MoqtParameter>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override string ToString() => "{" + string.Join(", ", _items) + "}";

    private static void CheckKnown(in MoqtParameter p, MoqtParameterSpace space, ref ulong seen)
    {
        // AUTHORIZATION TOKEN is 0x03 in both spaces and may repeat (§9.2.1.1, §9.3.2.5).
        if (p.Key == (ulong)MoqtParameterKey.AuthorizationToken)
        {
            if (!MoqtAuthorizationToken.TryParse(p.Bytes.Span, out _))
            {
                throw MoqtProtocolException.KeyValueFormatting("AUTHORIZATION TOKEN does not hold a valid Token structure.");
            }

            return;
        }

        var known = space == MoqtParameterSpace.Setup
            ? p.Key is (ulong)MoqtSetupParameterKey.Path or (ulong)MoqtSetupParameterKey.MaxRequestId
                or (ulong)MoqtSetupParameterKey.MaxAuthTokenCacheSize or (ulong)MoqtSetupParameterKey.Authority
            : p.Key is (ulong)MoqtParameterKey.DeliveryTimeout or (ulong)MoqtParameterKey.MaxCacheDuration;
        if (!known)
        {
            return;
        }

        // §9.2: "Receivers SHOULD check that there are no unauthorized duplicate parameters" → PROTOCOL_VIOLATION.
        var bit = 1UL << (int)p.Key;
        if ((seen & bit) != 0)
        {
            throw MoqtProtocolException.Violation($"Parameter 0x{p.Key:x} appears more than once.");
        }

        seen |= bit;
    }
}
