using Xunit;

namespace ClutchCall.Voice.TestSupport;

/// <summary>
/// Finds the project's shared test data in <c>../shared/testdata/</c> next to the repository root.
/// Tests that need it call <see cref="Require"/>, which skips the test with a clear message when the
/// folder is absent rather than failing or silently passing.
/// </summary>
public static class TestData
{
    private static readonly Lazy<string?> SharedRoot = new(FindSharedRoot);

    /// <summary>The repository root (the folder holding ClutchCall.Voice.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared test data folder, or null when it is not beside the repository.</summary>
    public static string? SharedTestDataRoot => SharedRoot.Value;

    /// <summary>Full path of a file or folder under <c>shared/testdata</c>; skips the test when it is absent.</summary>
    public static string Require(string relativePath)
    {
        var root = SharedRoot.Value;
        if (root is null)
        {
            Assert.Skip($"SKIPPED: shared test data not found (looked for ../shared/testdata beside {RepoRoot}; set CLUTCHCALL_TESTDATA to override). Needed: {relativePath}");
        }

        var path = Path.Combine(root, relativePath);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            Assert.Skip($"SKIPPED: shared test data file missing: {path}");
        }

        return path;
    }

    private static string FindRepoRoot()
    {
        var built = typeof(TestData).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ClutchCall.RepoRoot")?.Value;
        if (!string.IsNullOrEmpty(built) && File.Exists(Path.Combine(built, "ClutchCall.Voice.sln")))
        {
            return Path.GetFullPath(built);
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ClutchCall.Voice.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    private static string? FindSharedRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("CLUTCHCALL_TESTDATA");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(fromEnv))
        {
            return Path.GetFullPath(fromEnv);
        }

        var candidate = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "testdata"));
        return Directory.Exists(candidate) ? candidate : null;
    }
}
