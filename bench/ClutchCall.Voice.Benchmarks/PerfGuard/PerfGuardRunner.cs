using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace ClutchCall.Voice.Benchmarks.PerfGuard;

/// <summary>
/// <c>--perf-guard</c>: runs every benchmark listed in <see cref="PerfBudgets"/> with a short in-process
/// job, prints a table, and returns non-zero when one exceeds its time budget, allocates, fails, or is
/// listed but missing. Add <c>--verbose</c> for BenchmarkDotNet's own log and <c>--budget-scale N</c> to
/// multiply every time budget on a slow or shared runner.
/// </summary>
/// <remarks>
/// The budget is checked against the fastest iteration (each iteration averages thousands of operations
/// over 50 ms), not the mean: other processes on a shared runner only ever add time, so the minimum is the
/// steadiest estimate of what the code itself costs, while a real regression raises every iteration.
/// </remarks>
internal static class PerfGuardRunner
{
    private const double FrameMicroseconds = 20_000;

    public static int Run(string[] args)
    {
        var stopwatch = Stopwatch.StartNew();
        var scale = BudgetScale(args);
        var budgets = PerfBudgets.All.ToDictionary(b => b.Benchmark, b => b with { MaxMicroseconds = b.MaxMicroseconds * scale }, StringComparer.Ordinal);
        var types = typeof(PerfGuardRunner).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && budgets.Keys.Any(k => k.StartsWith(t.Name + ".", StringComparison.Ordinal)))
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            .ToArray();

        // Short, in-process job: no per-benchmark project build, a few 50 ms iterations each.
        var job = new Job("PerfGuard")
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(7)
            .WithIterationTime(TimeInterval.FromMilliseconds(50));
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(args.Contains("--verbose") ? ConsoleLogger.Default : NullLogger.Instance)
            .AddFilter(new SimpleFilter(c => budgets.ContainsKey(Key(c))))
            .WithOptions(ConfigOptions.DisableLogFile);

        Console.WriteLine($"perf guard: {budgets.Count} frame-path benchmarks in {types.Length} classes (short in-process job, budget scale {scale.ToString(CultureInfo.InvariantCulture)})...");
        var summaries = BenchmarkRunner.Run(types, config);

        var rows = new List<(string Name, double? Us, double? MeanUs, double Budget, long? Bytes, string Status)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            var key = Key(report.BenchmarkCase);
            if (!budgets.TryGetValue(key, out var budget))
            {
                continue;
            }

            seen.Add(key);
            var us = report.ResultStatistics?.Min / 1000.0;
            var meanUs = report.ResultStatistics?.Mean / 1000.0;
            long? bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            var status = !report.Success || us is null ? "FAILED TO RUN"
                : us > budget.MaxMicroseconds ? "OVER BUDGET"
                : bytes is null ? "NO ALLOC DATA"
                : bytes != 0 ? "ALLOCATES"
                : "ok";
            rows.Add((key + Params(report.BenchmarkCase), us, meanUs, budget.MaxMicroseconds, bytes, status));
        }

        foreach (var missing in budgets.Keys.Where(k => !seen.Contains(k)))
        {
            rows.Add((missing, null, null, budgets[missing].MaxMicroseconds, null, "NOT FOUND"));
        }

        var width = Math.Max(9, rows.Max(r => r.Name.Length));
        Console.WriteLine();
        Console.WriteLine($"{"Benchmark".PadRight(width)}  {"Min µs",10}  {"Mean µs",10}  {"Budget µs",10}  {"% frame",8}  {"Alloc B",8}  Status");
        foreach (var r in rows.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var min = r.Us?.ToString("F2", CultureInfo.InvariantCulture) ?? "-";
            var mean = r.MeanUs?.ToString("F2", CultureInfo.InvariantCulture) ?? "-";
            var share = r.Us is null ? "-" : (r.Us.Value / FrameMicroseconds * 100).ToString("F2", CultureInfo.InvariantCulture);
            var bytes = r.Bytes?.ToString(CultureInfo.InvariantCulture) ?? "-";
            Console.WriteLine($"{r.Name.PadRight(width)}  {min,10}  {mean,10}  {r.Budget,10:F1}  {share,8}  {bytes,8}  {r.Status}");
        }

        var failures = rows.Count(r => r.Status != "ok");
        Console.WriteLine();
        Console.WriteLine(failures == 0
            ? $"perf guard passed: {rows.Count} benchmarks within budget, zero allocations ({stopwatch.Elapsed.TotalSeconds:F0} s)."
            : $"perf guard FAILED: {failures} of {rows.Count} benchmarks violate their budget ({stopwatch.Elapsed.TotalSeconds:F0} s).");
        return failures == 0 ? 0 : 1;
    }

    private static double BudgetScale(string[] args)
    {
        var i = Array.IndexOf(args, "--budget-scale");
        if (i < 0)
        {
            return 1;
        }

        if (i + 1 >= args.Length || !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) || scale <= 0)
        {
            throw new ArgumentException("--budget-scale needs a positive number, e.g. --budget-scale 3");
        }

        return scale;
    }

    private static string Key(BenchmarkCase c) => c.Descriptor.Type.Name + "." + c.Descriptor.WorkloadMethod.Name;

    private static string Params(BenchmarkCase c) => c.HasParameters ? "(" + c.Parameters.DisplayInfo + ")" : string.Empty;
}
