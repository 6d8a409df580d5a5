using System.Text.Json;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Moqt.Tests.Wire;

/// <summary>One vector of the moqtap draft-14 corpus (schema: shared/testdata/moqt/codec-vector.schema.json).</summary>
internal sealed record CodecVector(string File, string MessageType, string Id, string Description, byte[] Bytes, bool Canonical,
    JsonElement? Decoded, string? Error)
{
    public override string ToString() => $"{File}#{Id}";
}

/// <summary>Loads every JSON file under shared/testdata/moqt/draft14/codec.</summary>
internal static class CodecVectors
{
    public const string Root = "moqt/draft14/codec";

    public static IReadOnlyList<CodecVector> LoadAll()
    {
        var root = TestData.Require(Root);
        var vectors = new List<CodecVector>();
        foreach (var path in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var file = Path.GetRelativePath(root, path);
            var messageType = doc.RootElement.GetProperty("message_type").GetString()!;
            foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
            {
                vectors.Add(new CodecVector(
                    file,
                    messageType,
                    v.GetProperty("id").GetString()!,
                    v.GetProperty("description").GetString()!,
                    Convert.FromHexString(v.GetProperty("hex").GetString()!),
                    !v.TryGetProperty("canonical", out var c) || c.GetBoolean(),
                    v.TryGetProperty("decoded", out var d) ? d.Clone() : null,
                    v.TryGetProperty("error", out var e) ? e.GetString() : null));
            }
        }

        return vectors;
    }

    public static ulong U(this JsonElement e, string name) => ulong.Parse(e.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    public static ulong? OptU(this JsonElement e, string name) => e.TryGetProperty(name, out var p)
        ? ulong.Parse(p.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : null;

    public static string S(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static byte[] HexOf(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) ? Convert.FromHexString(p.GetString()!) : [];
}
