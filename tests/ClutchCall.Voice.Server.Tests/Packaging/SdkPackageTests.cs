using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Server.Tests.Packaging;

/// <summary>
/// The SDK as a user gets it: <c>dotnet pack</c> produces one package that carries the layers it needs,
/// and the README's quick start, compiled against that package in a project outside this repository,
/// runs against the real server.
/// </summary>
public sealed partial class SdkPackageTests
{
    private static readonly string[] LayerAssemblies = ["ClutchCall.Voice.dll", "ClutchCall.Voice.Moqt.dll", "ClutchCall.Voice.Media.dll"];

    [Fact]
    public async Task Pack_ThenReadmeQuickStartAgainstPackage_RunsAgainstRealServer()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("ccv-pack-").FullName;
        try
        {
            var feed = Path.Combine(work, "feed");
            var sdkProject = Path.Combine(TestData.RepoRoot, "src", "ClutchCall.Voice", "ClutchCall.Voice.csproj");

            // Own artifacts folder: the test's build of the solution must not be touched.
            var pack = await RunDotnetAsync(work, ct, null, "pack", sdkProject, "-c", "Release", "-o", feed, "-nologo", $"-p:ArtifactsPath={Path.Combine(work, "artifacts")}");
            Assert.True(pack.ExitCode == 0, "dotnet pack failed:\n" + pack.Output);

            var package = Assert.Single(Directory.GetFiles(feed, "ClutchCall.Voice.*.nupkg"));
            var version = AssertPackageContents(package);

            var app = Path.Combine(work, "app");
            Directory.CreateDirectory(app);
            await File.WriteAllTextAsync(Path.Combine(app, "QuickStart.csproj"), ConsumerProject(version), ct);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ReadmeQuickStart(), ct);
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), FeedConfig(feed), ct);

            await using var server = await TestServer.StartAsync(Backend.Sqlite, null!);
            var (_, key) = await server.CreateOrgAndKeyAsync();
            var env = new Dictionary<string, string>
            {
                ["CLUTCHCALL_BASE_URL"] = server.BaseUrl,
                ["CLUTCHCALL_API_KEY"] = key,
                // A private package cache: a package of the same version cached by an earlier run must not be used.
                ["NUGET_PACKAGES"] = Path.Combine(work, "nuget-packages"),
            };
            var run = await RunDotnetAsync(app, ct, env, "run", "-c", "Release", "--nologo");

            Assert.True(run.ExitCode == 0, "the README quick start failed:\n" + run.Output);
            Assert.Matches(StatusLine(), run.Output);
            Assert.Contains("Completed after", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A build server may still hold a file; the temp folder is cleaned by the OS.
            }
        }
    }

    private static string AssertPackageContents(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var dll in LayerAssemblies)
        {
            Assert.Contains($"lib/net10.0/{dll}", names);
        }

        Assert.Contains("lib/net10.0/ClutchCall.Voice.xml", names);
        Assert.Contains("README.md", names);

        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        var doc = XDocument.Load(stream);
        var ns = doc.Root!.Name.Namespace;
        var metadata = doc.Root.Element(ns + "metadata")!;
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);

        // The layers ship inside the package, so it must not depend on packages that do not exist.
        var dependencies = metadata.Descendants(ns + "dependency").Select(d => (string?)d.Attribute("id")).ToList();
        Assert.DoesNotContain(dependencies, id => id is not null && id.StartsWith("ClutchCall.", StringComparison.Ordinal));
        return metadata.Element(ns + "version")!.Value;
    }

    /// <summary>The first C# block under "Quick start" in the packaged README, as a user would paste it.</summary>
    private static string ReadmeQuickStart()
    {
        var readme = File.ReadAllText(Path.Combine(TestData.RepoRoot, "src", "ClutchCall.Voice", "README.md"));
        var section = readme[readme.IndexOf("## Quick start", StringComparison.Ordinal)..];
        var match = CSharpBlock().Match(section);
        Assert.True(match.Success, "README.md has no ```csharp block under '## Quick start'");
        return match.Groups["code"].Value;
    }

    private static string ConsumerProject(string version) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="ClutchCall.Voice" Version="[{version}]" />
          </ItemGroup>
        </Project>
        """;

    private static string FeedConfig(string feed) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="local" value="{feed}" />
          </packageSources>
        </configuration>
        """;

    private static async Task<(int ExitCode, string Output)> RunDotnetAsync(
        string workingDirectory, CancellationToken ct, IDictionary<string, string>? env, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The test host's own MSBuild settings must not leak into the child build.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var lockObject = new object();
        process.OutputDataReceived += (_, e) => { lock (lockObject) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (lockObject) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 5 minutes:\n{output}");
        }

        process.WaitForExit();
        lock (lockObject)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"\S+ is Dialing")]
    private static partial Regex StatusLine();
}
