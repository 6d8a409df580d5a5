using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Tests.Wire;

/// <summary>Test-side helpers: hex, segmented sequences, a field-by-field description of messages.</summary>
internal static class WireTestHelpers
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Splits bytes into a multi-segment sequence of <paramref name="segmentSize"/>-byte segments.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentSize)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment? first = null;
        Segment? last = null;
        for (var i = 0; i < bytes.Length; i += segmentSize)
        {
            var chunk = bytes.AsMemory(i, Math.Min(segmentSize, bytes.Length - i));
            if (first is null)
            {
                first = last = new Segment(chunk, 0);
            }
            else
            {
                last = last!.Append(chunk);
            }
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>
    /// A canonical text of every public property of a message (recursively for the model types), so two messages
    /// compare field by field without relying on the records' reference-typed members.
    /// </summary>
    public static string Describe(object? value)
    {
        var sb = new StringBuilder();
        Append(sb, value);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                return;
            case string s:
                sb.Append('"').Append(s).Append('"');
                return;
            case Enum e:
                sb.Append(Convert.ToUInt64(e, CultureInfo.InvariantCulture));
                return;
            case bool or byte or int or long or ulong:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            case Location l:
                sb.Append(l.Group).Append('/').Append(l.Object);
                return;
            case TrackNamespace ns:
                sb.Append('(');
                for (var i = 0; i < ns.Count; i++)
                {
                    sb.Append(ToHex(ns[i])).Append(',');
                }

                sb.Append(')');
                return;
            case FullTrackName name:
                Append(sb, name.Namespace);
                sb.Append(':').Append(ToHex(name.Name));
                return;
            case MoqtParameters p:
                sb.Append(p.ToString());
                return;
            case IEnumerable list:
                sb.Append('[');
                foreach (var item in list)
                {
                    Append(sb, item);
                    sb.Append(',');
                }

                sb.Append(']');
                return;
        }

        sb.Append(value.GetType().Name).Append('{');
        foreach (var prop in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (prop.Name == "EqualityContract" || prop.GetIndexParameters().Length > 0)
            {
                continue;
            }

            sb.Append(prop.Name).Append('=');
            Append(sb, prop.GetValue(value));
            sb.Append(';');
        }

        sb.Append('}');
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
