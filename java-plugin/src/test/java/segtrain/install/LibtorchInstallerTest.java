package segtrain.install;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CancellationException;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** The installer against a real HTTP server on localhost serving real wheel files. */
public class LibtorchInstallerTest {
    private static final String TORCH = "torch-2.13.0-cp311-cp311-manylinux_2_28_x86_64.whl";
    private static final String CUDART = "nvidia_cuda_runtime-13.0.96-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private FakeIndex index;
    private File home;
    private LibtorchSpec spec;

    @Before
    public void setUp() throws Exception {
        index = new FakeIndex();
        Map<String, Integer> torch = new LinkedHashMap<>();
        torch.put("torch/__init__.py", 100);
        torch.put("torch/lib/libc10.so", 3000);
        torch.put("torch/lib/libtorch_cpu.so", 200_000);
        torch.put("torch/lib/libtorch_cuda.so", 5000);
        torch.put("torch/include/ATen/ATen.h", 100);
        index.addWheel(TORCH, torch);
        index.addWheel("torch-2.13.0-cp310-cp310-win_amd64.whl", torch); // never picked: not linux
        Map<String, Integer> cudart = new LinkedHashMap<>();
        cudart.put("nvidia/cu13/lib/libcudart.so.13", 7000);
        cudart.put("nvidia/cu13/include/cuda.h", 10);
        index.addWheel(CUDART, cudart);
        home = temp.newFolder("home");
        spec = spec(index.index());
    }

    @After
    public void tearDown() {
        index.close();
    }

    private LibtorchSpec spec(String indexUrl) {
        Properties properties = new Properties();
        properties.setProperty("version", "2.13.0");
        properties.setProperty("index", indexUrl);
        properties.setProperty("cpu", "torch==2.13.0 nvidia-cuda-runtime==13.0.96");
        properties.setProperty("cpu.skip", "libtorch_cuda.so");
        properties.setProperty("cuda", "torch==2.13.0 nvidia-cuda-runtime==13.0.96");
        return new LibtorchSpec(properties, home);
    }

    private LibtorchInstaller installer(final int cancelAfterUpdates) {
        return new LibtorchInstaller(spec, "cpu", new LibtorchInstaller.Progress() {
            int updates;

            @Override
            public void update(String phase, long done, long total) {
                updates++;
            }

            @Override
            public boolean cancelled() {
                return cancelAfterUpdates > 0 && updates >= cancelAfterUpdates;
            }
        });
    }

    @Test
    public void installsOnlyTheLibrariesInTheWheelsLayoutAndWritesTheMarker() throws Exception {
        LibtorchInstaller installer = installer(0);
        assertNotNull("nothing installed yet", installer.problem());
        File folder = installer.install();
        assertEquals(new File(home, ".segtrain/libtorch/2.13.0-cpu"), folder);
        assertEquals(200_000, new File(folder, "torch/lib/libtorch_cpu.so").length());
        assertTrue(new File(folder, "torch/lib/libc10.so").canExecute());
        assertTrue(new File(folder, "nvidia/cu13/lib/libcudart.so.13").isFile());
        assertFalse("skipped by the cpu flavour", new File(folder, "torch/lib/libtorch_cuda.so").exists());
        assertFalse("not a library", new File(folder, "torch/__init__.py").exists());
        assertFalse("not a library", new File(folder, "torch/include").exists());
        assertTrue(new File(folder, InstallMarker.FILE_NAME).isFile());
        assertNull(installer.problem());
        assertFalse("no staging folder left", new File(folder.getPath() + ".partial").exists());
        assertFalse("downloads deleted after success", new File(installer.downloads(), TORCH).exists());
        LibtorchLocator.Found found = LibtorchLocator.locate(spec);
        assertEquals(new File(folder, "torch/lib"), found.libFolder);
        assertTrue(found.source, found.source.startsWith("installed"));
    }

    @Test
    public void aDigestThatDiffersFromTheIndexIsRefused() throws Exception {
        index.publishedSha.put(TORCH, "00" + index.publishedSha.get(TORCH).substring(2));
        LibtorchInstaller installer = installer(0);
        try {
            installer.install();
            fail("installed a wheel whose digest differs from the index's");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("does not match the SHA-256 the index publishes"));
        }
        assertFalse(installer.folder().exists());
        assertFalse("the bad file is deleted", new File(installer.downloads(), TORCH).exists());
        assertNotNull(installer.problem());
    }

    @Test
    public void anInterruptedDownloadContinuesWhereItStopped() throws Exception {
        index.cutNextAfter = 50_000;
        LibtorchInstaller installer = installer(0);
        try {
            installer.install();
            fail("a cut download went unnoticed");
        } catch (IOException e) {
            // expected: the connection dropped half-way
        }
        File part = new File(installer.downloads(), TORCH + ".part");
        assertEquals(50_000, part.length());
        assertFalse(installer.folder().exists());
        installer.install();
        assertTrue("the second attempt asked for the rest: " + index.rangeRequests, index.rangeRequests.contains("bytes=50000-"));
        assertNull(installer.problem());
    }

    @Test
    public void aServerWithoutRangesRestartsTheDownload() throws Exception {
        index.supportRanges = false;
        LibtorchInstaller installer = installer(0);
        assertTrue(installer.downloads().mkdirs());
        try (FileOutputStream out = new FileOutputStream(new File(installer.downloads(), TORCH + ".part"))) {
            out.write(new byte[1234]); // zeros: wrong bytes, appended to they would break the digest
        }
        installer.install();
        assertEquals(1, index.rangeRequests.size());
        assertNull(installer.problem());
    }

    @Test
    public void anUnfinishedDamagedOrOtherVersionInstallIsDetectedAndRepaired() throws Exception {
        LibtorchInstaller installer = installer(0);
        File folder = installer.install();
        File marker = new File(folder, InstallMarker.FILE_NAME);

        try (RandomAccessFile file = new RandomAccessFile(new File(folder, "torch/lib/libtorch_cpu.so"), "rw")) {
            file.setLength(1000); // a truncated library
        }
        assertTrue(installer.problem(), installer.problem().startsWith("damaged"));
        assertMissing(installer.problem());

        installer.install();
        assertNull(installer.problem());
        assertTrue(marker.delete()); // an install stopped before its marker
        assertTrue(installer.problem(), installer.problem().startsWith("an unfinished install"));
        assertMissing(installer.problem());

        installer.install();
        String text = new String(java.nio.file.Files.readAllBytes(marker.toPath()), "UTF-8").replace("version=2.13.0", "version=2.12.0");
        java.nio.file.Files.write(marker.toPath(), text.getBytes("UTF-8"));
        assertEquals("libtorch 2.12.0, but this SegTrain needs 2.13.0", installer.problem());
        installer.install();
        assertNull(installer.problem());
    }

    private void assertMissing(String problem) {
        try {
            LibtorchLocator.Found found = LibtorchLocator.locate(spec);
            fail("located " + found.libFolder + " although it is " + problem);
        } catch (LibtorchLocator.Missing missing) {
            assertFalse(missing.explicit);
            assertTrue(missing.tried.toString(), missing.tried.toString().contains(problem));
        }
    }

    @Test
    public void aCancelledInstallLeavesNothingLoadableAndNoMarker() throws Exception {
        LibtorchInstaller installer = installer(5);
        try {
            installer.install();
            fail("not cancelled");
        } catch (CancellationException e) {
            // expected
        }
        assertFalse(installer.folder().exists());
        assertNotNull(installer.problem());
        installer(0).install();
        assertNull(installer.problem());
    }

    @Test
    public void aWheelWhoseLibraryDiffersFromItsRecordIsRefused() throws Exception {
        byte[] wheel = index.wheels.get(CUDART);
        // Flip a byte of the stored (uncompressed-size) library data near its start, past the local header.
        byte[] damaged = wheel.clone();
        int at = indexOf(damaged, "nvidia/cu13/lib/libcudart.so.13".getBytes("UTF-8")) + 200;
        damaged[at] ^= 0x55;
        index.wheels.put(CUDART, damaged);
        index.publishedSha.put(CUDART, FakeIndex.hex(java.security.MessageDigest.getInstance("SHA-256").digest(damaged)));
        LibtorchInstaller installer = installer(0);
        try {
            installer.install();
            fail("installed a damaged library");
        } catch (IOException e) {
            // A flipped byte in deflated data either fails inflation or the RECORD digest: both refuse.
            assertFalse(e.getMessage(), installer.folder().exists());
        }
        assertNotNull(installer.problem());
    }

    @Test
    public void offlineItSaysHowToInstallByHandAndThenUsesTheWheelsPutThere() throws Exception {
        java.net.ServerSocket closed = new java.net.ServerSocket(0);
        int port = closed.getLocalPort();
        closed.close();
        spec = spec("http://127.0.0.1:" + port + "/simple/");
        LibtorchInstaller installer = installer(0);
        try {
            installer.install();
            fail("installed without an index");
        } catch (IOException e) {
            String message = e.getMessage();
            assertTrue(message, message.startsWith("cannot reach http://127.0.0.1:" + port));
            assertTrue(message, message.contains("https://pypi.org/project/torch/2.13.0/#files"));
            assertTrue(message, message.contains(installer.downloads().getPath()));
            assertTrue(message, message.contains("Proxy Settings"));
        }
        // The manual route: the wheels downloaded elsewhere and put in the downloads folder.
        assertTrue(installer.downloads().isDirectory() || installer.downloads().mkdirs());
        java.nio.file.Files.write(new File(installer.downloads(), TORCH).toPath(), index.wheels.get(TORCH));
        java.nio.file.Files.write(new File(installer.downloads(), CUDART).toPath(), index.wheels.get(CUDART));
        installer.install();
        assertNull(installer.problem());
    }

    @Test
    public void anExplicitFolderThatHoldsNoLibtorchStopsTheSearch() throws Exception {
        installer(0).install(); // a good install exists, but the setting names another folder
        File wrong = temp.newFolder("not-libtorch");
        System.setProperty(LibtorchLocator.PROPERTY, wrong.getPath());
        try {
            LibtorchLocator.locate(spec);
            fail("ignored -D" + LibtorchLocator.PROPERTY);
        } catch (LibtorchLocator.Missing missing) {
            assertTrue(missing.explicit);
            assertTrue(missing.tried.toString(), missing.tried.get(0).startsWith(wrong.getPath()));
        } finally {
            System.clearProperty(LibtorchLocator.PROPERTY);
        }
        System.setProperty(LibtorchLocator.PROPERTY, installer(0).folder().getPath());
        try {
            assertEquals(new File(installer(0).folder(), "torch/lib"), LibtorchLocator.locate(spec).libFolder);
        } finally {
            System.clearProperty(LibtorchLocator.PROPERTY);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new IllegalStateException("not found");
    }
}
