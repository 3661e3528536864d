// The only bridge from the page to the shell: two native dialogs, nothing else.
import { contextBridge, ipcRenderer } from 'electron';

contextBridge.exposeInMainWorld('workbenchShell', {
  openFile: (options: { title?: string; directory?: boolean }): Promise<string | null> =>
    ipcRenderer.invoke('dialog:open-file', options),
  saveFile: (options: { title?: string; defaultPath?: string }): Promise<string | null> =>
    ipcRenderer.invoke('dialog:save-file', options),
});
