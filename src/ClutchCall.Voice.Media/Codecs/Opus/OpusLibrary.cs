using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace ClutchCall.Voice.Media;

/// <summary>
/// Finds and loads the system libopus. Tries <c>libopus.so.0</c> (what the Debian/Ubuntu runtime package
/// <c>libopus0</c> installs), then <c>libopus.so</c> (the -dev symlink), then <c>opus</c> (platform naming).
/// </summary>
/// <remarks>
/// The resolver hooks <see cref="AssemblyLoadContext.ResolvingUnmanagedDll"/> rather than
/// <see cref="NativeLibrary.SetDllImportResolver"/>: the latter allows one resolver per assembly, and other
/// native bindings in this assembly may need their own.
/// </remarks>
internal static class OpusLibrary
{
    /// <summary>Library names tried in order.</summary>
    public static readonly string[] Candidates = ["libopus.so.0", "libopus.so", "opus"];

    /// <summary>The apt package that provides the library.</summary>
    public const string AptPackage = "libopus0";

    private static readonly Lock Gate = new();
    private static nint _handle;
    private static DllNotFoundException? _failure;
    private static bool _hooked;

    /// <summary>True when libopus could be loaded.</summary>
    public static bool IsAvailable
    {
        get
        {
            if (_handle != 0)
            {
                return true;
            }

            if (_failure is not null)
            {
                return false;
            }

            try
            {
                EnsureLoaded();
                return true;
            }
            catch (DllNotFoundException)
            {
                return false;
            }
        }
    }

    /// <summary>Loads libopus once; throws a <see cref="DllNotFoundException"/> naming the library and the apt package when it is missing.</summary>
    public static void EnsureLoaded()
    {
        if (_handle != 0)
        {
            return;
        }

        lock (Gate)
        {
            if (_handle == 0 && _failure is null)
            {
                if (TryLoad(Candidates, out var handle, out var failure))
                {
                    _handle = handle;
                    if (!_hooked)
                    {
                        var context = AssemblyLoadContext.GetLoadContext(typeof(OpusLibrary).Assembly) ?? AssemblyLoadContext.Default;
                        context.ResolvingUnmanagedDll += Resolve;
                        _hooked = true;
                    }
                }
                else
                {
                    _failure = failure;
                }
            }

            if (_failure is not null)
            {
                throw new DllNotFoundException(_failure.Message, _failure);
            }
        }
    }

    /// <summary>Tries each candidate name; on failure returns an exception whose message says what to install.</summary>
    internal static bool TryLoad(IReadOnlyList<string> candidates, out nint handle, out DllNotFoundException? failure)
    {
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out handle))
            {
                failure = null;
                return true;
            }
        }

        handle = 0;
        failure = new DllNotFoundException(
            $"The Opus codec library was not found (tried {string.Join(", ", candidates)}). " +
            $"Install it with: sudo apt-get install {AptPackage}");
        return false;
    }

    private static nint Resolve(Assembly assembly, string libraryName) =>
        libraryName == OpusNative.LibraryName && assembly == typeof(OpusLibrary).Assembly ? _handle : 0;
}
