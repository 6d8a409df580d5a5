using System.Buffers;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// The Token structure carried by the AUTHORIZATION TOKEN parameter (draft-ietf-moq-transport-14 §9.2.1.1):
/// Alias Type, then an Alias for DELETE/REGISTER/USE_ALIAS, then Token Type and Token Value for REGISTER/USE_VALUE.
/// </summary>
internal sealed record MoqtAuthorizationToken
{
    public required MoqtTokenAliasType AliasType { get; init; }

    /// <summary>Present for DELETE, REGISTER and USE_ALIAS.</summary>
    public ulong Alias { get; init; }

    /// <summary>Present for REGISTER and USE_VALUE; 0 means negotiated out of band.</summary>
    public ulong TokenType { get; init; }

    /// <summary>Present for REGISTER and USE_VALUE: the rest of the parameter.</summary>
    public ReadOnlyMemory<byte> Value { get; init; }

    public bool HasAlias => AliasType is MoqtTokenAliasType.Delete or MoqtTokenAliasType.Register or MoqtTokenAliasType.UseAlias;

    public bool HasValue => AliasType is MoqtTokenAliasType.Register or MoqtTokenAliasType.UseValue;

    /// <summary>A token sent by value, not cached by the receiver.</summary>
    public static MoqtAuthorizationToken UseValue(ulong tokenType, ReadOnlyMemory<byte> value) =>
        new() { AliasType = MoqtTokenAliasType.UseValue, TokenType = tokenType, Value = value };

    /// <summary>
    /// Parses a parameter value. Returns false when it is not a well-formed Token structure; the receiver then
    /// closes the session with KEY_VALUE_FORMATTING_ERROR (§9.2.1.1).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out MoqtAuthorizationToken? token)
    {
        token = null;
        var reader = new MoqtSpanReader(value);
        if (!reader.TryReadVarint(out var aliasTypeRaw) || aliasTypeRaw > (ulong)MoqtTokenAliasType.UseValue)
        {
            return false;
        }

        var aliasType = (MoqtTokenAliasType)aliasTypeRaw;
        ulong alias = 0;
        ulong tokenType = 0;
        var tokenValue = ReadOnlyMemory<byte>.Empty;
        if (aliasType is MoqtTokenAliasType.Delete or MoqtTokenAliasType.Register or MoqtTokenAliasType.UseAlias
            && !reader.TryReadVarint(out alias))
        {
            return false;
        }

        if (aliasType is MoqtTokenAliasType.Register or MoqtTokenAliasType.UseValue)
        {
            if (!reader.TryReadVarint(out tokenType))
            {
                return false;
            }

            tokenValue = reader.Rest.ToArray();
        }
        else if (!reader.End)
        {
            return false;
        }

        token = new MoqtAuthorizationToken { AliasType = aliasType, Alias = alias, TokenType = tokenType, Value = tokenValue };
        return true;
    }

    /// <summary>Serialized length of the structure.</summary>
    public int GetEncodedLength()
    {
        var length = QuicVarint.GetLength((ulong)AliasType);
        if (HasAlias)
        {
            length += QuicVarint.GetLength(Alias);
        }

        if (HasValue)
        {
            length += QuicVarint.GetLength(TokenType) + Value.Length;
        }

        return length;
    }

    /// <summary>The structure as a byte array, ready to be an AUTHORIZATION TOKEN parameter value.</summary>
    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(GetEncodedLength());
        buffer.WriteVarint((ulong)AliasType);
        if (HasAlias)
        {
            buffer.WriteVarint(Alias);
        }

        if (HasValue)
        {
            buffer.WriteVarint(TokenType);
            buffer.WriteBytes(Value.Span);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public bool Equals(MoqtAuthorizationToken? other) =>
        other is not null && AliasType == other.AliasType && Alias == other.Alias && TokenType == other.TokenType
        && Value.Span.SequenceEqual(other.Value.Span);

    public override int GetHashCode() => HashCode.Combine(AliasType, Alias, TokenType, Value.Length);
}
